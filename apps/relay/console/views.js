// How the console shows relay's objects (the schemas in /v1/openapi.json).
import { h, when } from "./dom.js";

export function place(m) {
  if (m.channel) return "#" + m.channel;
  return m.conversation_id ? "DM " + m.conversation_id : "";
}

export const threadLabel = (n) => (n ? `Thread (${n} ${n === 1 ? "reply" : "replies"})` : "Reply in thread");

// One message; actions: {thread(m), details(m)}; withPlace names its channel or DM.
export function messageItem(m, actions, withPlace = false) {
  const buttons = [];
  if (!m.thread_id && actions.thread) {
    const n = m.reply_count ?? 0;
    buttons.push(h("button", { type: "button", class: "link", "data-action": "thread", "data-count": n,
      onclick: () => actions.thread(m) }, threadLabel(n)));
  }
  if (actions.details) {
    buttons.push(h("button", { type: "button", class: "link", "data-action": "details", onclick: () => actions.details(m) },
      "Deliveries and receipts"));
  }
  return h("li", { class: "message", "data-message-id": m.id },
    h("div", { class: "meta" }, h("span", { class: "author" }, m.agent_name),
      h("time", { datetime: m.created_at }, when(m.created_at)), withPlace ? " in " + place(m) : ""),
    h("p", { class: "text" }, m.text),
    buttons.length ? h("div", { class: "actions" }, buttons) : null);
}

function table(caption, head, rows) {
  return h("table", {}, h("caption", {}, caption),
    h("thead", {}, h("tr", {}, head.map((c) => h("th", { scope: "col" }, c)))),
    h("tbody", {}, rows));
}

function statusCell(status) {
  return h("td", { class: "status status-" + status }, status);
}

// A message's deliveries (one per recipient) and read receipts.
export function deliveryDetails(deliveries, readers) {
  const rows = deliveries.deliveries.map((d) =>
    h("tr", { "data-delivery-id": d.id, "data-agent": d.agent_name }, h("td", {}, d.agent_name), h("td", {}, d.reason),
      statusCell(d.status), h("td", {}, when(d.delivered_at)), h("td", {}, when(d.acked_at))));
  const read = readers.readers.map((r) => h("li", { "data-reader": r.agent_name }, `${r.agent_name} read it at ${when(r.read_at)}`));
  return [
    deliveries.deliveries.length
      ? table("Deliveries", ["To", "Why", "Status", "Delivered", "Acked"], rows)
      : h("p", {}, "No deliveries: nobody else was in this conversation."),
    h("h3", {}, "Read by"),
    read.length ? h("ul", { class: "plain", id: "readers" }, read) : h("p", {}, "Nobody has read it yet."),
  ];
}

// The caller's own deliveries, with a button to acknowledge each.
export function myDeliveries(page, ack) {
  if (!page.deliveries.length) return [h("p", {}, "No deliveries.")];
  const rows = page.deliveries.map((d) =>
    h("tr", { "data-delivery-id": d.id }, h("td", {}, d.message.agent_name + ": " + d.message.text),
      h("td", {}, place(d.message)), statusCell(d.status),
      h("td", {}, d.status === "acked" ? "" :
        h("button", { type: "button", class: "link", onclick: () => ack(d) }, "Ack"))));
  return [table("My deliveries", ["Message", "Where", "Status", ""], rows)];
}
