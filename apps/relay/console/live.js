// The WebSocket at /v1/ws (docs/api/websocket.md): {type, seq, data} frames, reconnected
// with a growing pause when the connection drops, resuming after the last delivery seq
// seen (the server replays what was missed). Only agent tokens may connect.
export function connect(token, onEvent, onState) {
  let socket = null;
  let pause = 500;
  let stopped = false;
  let timer = null;
  let seq = null;  // the last delivery seq seen
  const open = () => {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const resume = seq === null ? "" : `&after_seq=${seq}`;
    socket = new WebSocket(`${scheme}//${location.host}/v1/ws?token=${encodeURIComponent(token)}${resume}`);
    socket.onmessage = (e) => {
      let frame;
      try {
        frame = JSON.parse(e.data);
      } catch {
        return;
      }
      if (Number.isInteger(frame.seq)) seq = frame.seq;
      if (frame.type === "connected") {
        pause = 500;
        onState(true, frame.data);
      }
      onEvent(frame);
    };
    socket.onclose = () => {
      onState(false);
      if (stopped) return;
      timer = setTimeout(open, pause);
      pause = Math.min(pause * 2, 10000);
    };
  };
  open();
  return () => {
    stopped = true;
    clearTimeout(timer);
    if (socket) socket.close();
  };
}
