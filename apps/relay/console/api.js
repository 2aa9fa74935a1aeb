// relay's HTTP API (GET /v1/openapi.json describes it): every answer is an envelope,
// {ok: true, data} or {ok: false, error: {code, message}}.
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export class Api {
  constructor(token) {
    this.token = token;
  }

  async call(method, path, body) {
    const headers = { Authorization: "Bearer " + this.token };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    let envelope = null;
    try {
      envelope = await res.json();
    } catch {
      throw new ApiError(res.status, "invalid_response", "The server's answer is not JSON.");
    }
    if (!envelope.ok) throw new ApiError(res.status, envelope.error.code, envelope.error.message);
    return envelope.data;
  }

  get(path) { return this.call("GET", path); }
  post(path, body = {}) { return this.call("POST", path, body); }
}

export const enc = encodeURIComponent;
