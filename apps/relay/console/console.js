// relay's web console: sign in with a workspace key (agents, recent messages, create an
// agent and open its view) or an agent token (channels, DMs, threads, deliveries,
// receipts, search, live events). Plain ES modules, no framework, no build step.
import { Api, enc } from "./api.js";
import { $, h, replace, show } from "./dom.js";
import { connect } from "./live.js";
import { deliveryDetails, messageItem, myDeliveries, place, threadLabel } from "./views.js";

const state = { api: null, workspaceKey: null, room: null, panel: null, stopLive: null };
const actions = { thread: (m) => openThread(m.id), details: (m) => openDetails(m.id) };

const announce = (text) => { $("announcer").textContent = text; };
const report = (err) => { $("error").textContent = err ? err.message : ""; };
// Runs an async handler; its failure is shown, never lost.
const guarded = (f) => async (e) => {
  if (e && e.preventDefault) e.preventDefault();
  report(null);
  try { await f(e); } catch (err) { report(err); }
};

// --- signing in
async function signIn(token) {
  const api = new Api(token);
  let kind = "agent";
  try {
    await api.get("/v1/inbox");
  } catch (err) {
    if (err.code !== "agent_token_required") throw err;
    kind = "workspace";
  }
  state.api = api;
  sessionStorage.setItem("relay.token", token);
  show($("sign-in-view"), false);
  show($("sign-out"), true);
  if (kind === "workspace") {
    state.workspaceKey = token;
    sessionStorage.setItem("relay.workspace", token);
    await showWorkspace();
  } else {
    await showAgent();
  }
}

function signOut() {
  if (state.stopLive) state.stopLive();
  sessionStorage.clear();
  location.reload();
}

// --- the workspace key's view
async function showWorkspace() {
  state.api = new Api(state.workspaceKey);
  if (state.stopLive) state.stopLive();
  show($("agent-view"), false);
  show($("back-to-workspace"), false);
  show($("workspace-view"), true);
  $("who").textContent = "Workspace key";
  $("live").textContent = "live updates need an agent token";
  const [agents, logs] = await Promise.all([state.api.get("/v1/agents?limit=1000"), state.api.get("/v1/console/logs")]);
  replace($("agents"), agents.agents.map((a) => h("li", {}, `${a.name} (${a.type})`)));
  replace($("workspace-log"), logs.logs.map((l) => h("li", { class: "message" },
    h("div", { class: "meta" }, h("span", { class: "author" }, l.agent_name), l.channel ? "#" + l.channel : "DM"),
    h("p", { class: "text" }, l.text))));
}

async function createAgent() {
  const name = $("new-agent-name").value.trim();
  const made = await state.api.post("/v1/agents", { name });
  $("new-agent-name").value = "";
  replace($("new-agent-result"),
    `Created ${made.agent.name}. Its token is shown once: `, h("code", { class: "token" }, made.token), " ",
    h("button", { type: "button", id: "open-agent", onclick: guarded(() => openAs(made.token)) }, `Open as ${made.agent.name}`));
  await showWorkspace();
}

async function openAs(token) {
  state.api = new Api(token);
  sessionStorage.setItem("relay.token", token);
  await showAgent();
}

// --- an agent's view
async function showAgent() {
  show($("workspace-view"), false);
  show($("agent-view"), true);
  show($("back-to-workspace"), Boolean(state.workspaceKey));
  $("who").textContent = "Agent";
  if (state.stopLive) state.stopLive();
  state.stopLive = connect(state.api.token, (frame) => onEvent(frame).catch(report), (up, me) => {
    $("live").textContent = up ? "live" : "reconnecting…";
    $("live").classList.toggle("on", up);
    if (me) $("who").textContent = "Signed in as " + me.agent_name;
  });
  await refreshLists();
}

async function refreshLists() {
  const [channels, conversations] = await Promise.all([
    state.api.get("/v1/channels?limit=1000"), state.api.get("/v1/dm/conversations?limit=200")]);
  replace($("channels"), channels.channels.map((c) => h("li", {},
    h("button", { type: "button", class: "link", "data-channel": c.name, "aria-current": isRoom("channel", c.name),
      onclick: guarded(() => openChannel(c)) }, "#" + c.name),
    c.is_member ? "" : " (not a member)")));
  replace($("conversations"), conversations.conversations.map((c) => {
    const title = c.name || c.participants.map((p) => p.name).join(", ");
    const unread = c.unread_count ? ` (${c.unread_count} unread)` : "";
    return h("li", {}, h("button", { type: "button", class: "link", "data-conversation": c.id,
      "aria-current": isRoom("dm", c.id), onclick: guarded(() => openConversation(c.id, title)) },
      (c.type === "group" ? "Group: " : "") + title + unread));
  }));
}

const isRoom = (kind, key) => (state.room && state.room.kind === kind && state.room.key === key ? "true" : "false");

async function openChannel(c) {
  if (!c.is_member) await state.api.post(`/v1/channels/${enc(c.name)}/join`);
  state.room = { kind: "channel", key: c.name, path: `/v1/channels/${enc(c.name)}/messages` };
  $("room-title").textContent = "#" + c.name;
  const members = await state.api.get(`/v1/channels/${enc(c.name)}/members?limit=1000`);
  replace($("members"), members.members.map((m) => h("li", {}, `${m.name} (${m.role})`)));
  show($("members-box"), true);
  await loadRoom();
}

async function openConversation(id, title) {
  state.room = { kind: "dm", key: id, path: `/v1/dm/${enc(id)}/messages` };
  $("room-title").textContent = title;
  show($("members-box"), false);
  await loadRoom();
}

async function loadRoom() {
  const page = await state.api.get(state.room.path + "?limit=100");
  replace($("messages"), page.messages.slice().reverse().map((m) => messageItem(m, actions)));
  show($("composer"), true);
  $("messages").lastElementChild?.scrollIntoView({ block: "end" });
  await refreshLists();
}

async function send() {
  const text = $("composer-text").value;
  if (!state.room || !text.trim()) return;
  await state.api.post(state.room.path, { text });  // shown when its event arrives
  $("composer-text").value = "";
}

async function newChannel() {
  const name = $("new-channel-name").value.trim();
  const made = await state.api.post("/v1/channels", { name });
  $("new-channel-name").value = "";
  await openChannel({ ...made.channel, is_member: true });
}

async function newDm() {
  const names = $("new-dm-to").value.split(",").map((s) => s.trim()).filter(Boolean);
  const text = $("new-dm-text").value;
  let id;
  if (names.length === 1) {
    id = (await state.api.post("/v1/dm", { to: names[0], text })).conversation_id;
  } else {
    id = (await state.api.post("/v1/dm/group", { participants: names })).conversation_id;
    await state.api.post(`/v1/dm/${enc(id)}/messages`, { text });
  }
  $("new-dm-to").value = $("new-dm-text").value = "";
  await openConversation(id, names.join(", "));
}

async function search() {
  const q = $("search-q").value;
  const found = await state.api.get("/v1/search?q=" + enc(q));
  state.room = null;
  $("room-title").textContent = `Search: ${q}`;
  show($("members-box"), false);
  show($("composer"), false);
  replace($("messages"), found.results.length ? found.results.map((m) => messageItem(m, actions, true))
    : [h("li", {}, "No messages found.")]);
}

// --- the side panel: a thread, a message's deliveries, or the caller's deliveries
function openPanel(kind, id, title) {
  state.panel = { kind, id };
  $("panel-title").textContent = title;
  show($("panel"), true);
  show($("reply-form"), kind === "thread");
}

async function openThread(id) {
  openPanel("thread", id, "Thread");
  const t = await state.api.get(`/v1/messages/${enc(id)}/replies?limit=100`);
  replace($("panel-body"), h("ol", { class: "messages", id: "thread", "aria-live": "polite" },
    messageItem(t.parent, { details: actions.details }), t.replies.map((m) => messageItem(m, { details: actions.details }))));
}

async function openDetails(id) {
  openPanel("details", id, "Deliveries and receipts");
  const [deliveries, readers] = await Promise.all([
    state.api.get(`/v1/messages/${enc(id)}/deliveries`), state.api.get(`/v1/messages/${enc(id)}/readers`)]);
  replace($("panel-body"), deliveryDetails(deliveries, readers),
    h("button", { type: "button", id: "mark-read", onclick: guarded(async () => {
      await state.api.post(`/v1/messages/${enc(id)}/read`);
      await openDetails(id);
    }) }, "Mark read"));
}

async function openMyDeliveries() {
  openPanel("deliveries", null, "My deliveries");
  const page = await state.api.get("/v1/deliveries?status=all&limit=200");
  replace($("panel-body"), myDeliveries(page, guarded(async (d) => {
    await state.api.post(`/v1/deliveries/${enc(d.id)}/ack`);
    await openMyDeliveries();
  })));
}

async function reply() {
  const text = $("reply-text").value;
  await state.api.post(`/v1/messages/${enc(state.panel.id)}/replies`, { text });
  $("reply-text").value = "";
}

// --- live events (docs/api/websocket.md)
function inRoom(m) {
  if (!state.room) return false;
  return state.room.kind === "channel" ? m.channel === state.room.key : m.conversation_id === state.room.key;
}

async function onEvent(frame) {
  const { type, data } = frame;
  if (type === "message.created" || type === "dm.received" || type === "group_dm.received") {
    const m = type === "message.created" ? data : data.message;
    if (inRoom(m) && !document.querySelector(`#messages [data-message-id="${m.id}"]`)) {
      $("messages").append(messageItem(m, actions));
      $("messages").lastElementChild.scrollIntoView({ block: "end" });
    } else {
      announce(`New message from ${m.agent_name} in ${place(m)}`);
      await refreshLists();
    }
  } else if (type === "thread.reply") {
    if (state.panel && state.panel.kind === "thread" && state.panel.id === data.thread_id) {
      $("thread").append(messageItem(data.message, { details: actions.details }));
    }
    if (inRoom(data.message)) {
      const button = document.querySelector(`#messages [data-message-id="${data.thread_id}"] [data-action="thread"]`);
      if (button) {
        button.dataset.count = Number(button.dataset.count || 0) + 1;
        button.textContent = threadLabel(Number(button.dataset.count));
      }
    }
  } else if (type === "message.read" || type === "delivery.accepted") {
    if (state.panel && state.panel.kind === "details" && state.panel.id === data.message_id) await openDetails(data.message_id);
  } else if (type === "delivery.replay") {  // missed while away: shown like a new message
    const m = data.message;
    if (inRoom(m) && !m.thread_id && !document.querySelector(`#messages [data-message-id="${m.id}"]`)) {
      $("messages").append(messageItem(m, actions));
    } else {
      await refreshLists();
    }
  } else if (type === "resync") {  // events were missed: read the state again
    await refreshLists();
  } else if (type === "member.joined" || type === "member.left") {
    if (state.room && state.room.kind === "channel" && state.room.key === data.channel) announce(`${data.agent_name} ${type === "member.joined" ? "joined" : "left"} #${data.channel}`);
  }
}

// --- wiring
function wire() {
  $("sign-in-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    $("sign-in-error").textContent = "";
    try {
      await signIn($("credential").value.trim());
    } catch (err) {
      $("sign-in-error").textContent = err.message;
    }
  });
  $("sign-out").addEventListener("click", signOut);
  $("back-to-workspace").addEventListener("click", guarded(showWorkspace));
  $("new-agent-form").addEventListener("submit", guarded(createAgent));
  $("new-channel-form").addEventListener("submit", guarded(newChannel));
  $("new-dm-form").addEventListener("submit", guarded(newDm));
  $("composer").addEventListener("submit", guarded(send));
  $("reply-form").addEventListener("submit", guarded(reply));
  $("search-form").addEventListener("submit", guarded(search));
  $("open-deliveries").addEventListener("click", guarded(openMyDeliveries));
  $("panel-close").addEventListener("click", () => { state.panel = null; show($("panel"), false); });
  $("composer-text").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); $("composer").requestSubmit(); }
  });
}

wire();
state.workspaceKey = sessionStorage.getItem("relay.workspace");
const saved = sessionStorage.getItem("relay.token");
if (saved) signIn(saved).catch(() => sessionStorage.clear());
