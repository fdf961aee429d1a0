/*
 * ALK Companion's web chat: a small, accessible widget for Rasa's socket.io
 * channel, in plain JavaScript with no build step. It needs socket.io-client
 * (the global `io`, from socket.io.min.js) loaded first.
 *
 * Embed: <div id="alk-chat"></div>, then the two scripts, with the settings
 * as data-* attributes on this one (see README.md, "Web chat"):
 *   data-server-url, data-title, data-primary-colour, data-primary-text-colour,
 *   data-persistence ("session" | "none"), data-urgent-text,
 *   data-heading-level, data-greeting-payload, data-mount (a CSS selector).
 * Or call AlkChat.mount(element, {serverUrl: ..., title: ...}) yourself.
 *
 * Everything the server or the person sends is put in the page as text
 * (textContent, DOM nodes), never as HTML.
 */
(function () {
  "use strict";

  const DEFAULTS = {
    serverUrl: "http://localhost:5005",
    title: "ALK Companion",
    primaryColour: "#0b5563",
    primaryTextColour: "#ffffff",
    // "session": the chat survives a reload and is gone when the tab closes,
    // so a shared clinic computer never shows the last person's chat.
    persistence: "session",
    urgentText: "",
    headingLevel: 2,
    greetingPayload: "/greet",
  };
  // The backgrounds the primary colour is drawn on (page, bot messages).
  const BACKGROUNDS = ["#ffffff", "#eef1f3"];
  const MIN_CONTRAST = 4.5; // WCAG AA for normal text
  const URL_PATTERN = /https?:\/\/[^\s<>"]+/g;
  const TRAILING_PUNCTUATION = /[.,;:!?)\]'"]+$/;
  let instances = 0;

  // ---- colours -------------------------------------------------------------

  function parseHex(colour) {
    const match = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.exec(String(colour || "").trim());
    if (!match) return null;
    const hex = match[1].length === 3 ? match[1].replace(/./g, "$&$&") : match[1];
    return [0, 2, 4].map((start) => parseInt(hex.slice(start, start + 2), 16));
  }

  function luminance(rgb) {
    const [r, g, b] = rgb.map((value) => {
      const channel = value / 255;
      return channel <= 0.03928 ? channel / 12.92 : Math.pow((channel + 0.055) / 1.055, 2.4);
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }

  function contrast(first, second) {
    const [light, dark] = [luminance(first), luminance(second)].sort((a, b) => b - a);
    return (light + 0.05) / (dark + 0.05);
  }

  /** The configured colours if readable (WCAG AA), else the defaults, with a warning. */
  function readableColours(primary, primaryText) {
    const primaryRgb = parseHex(primary);
    const textRgb = parseHex(primaryText);
    const readable =
      primaryRgb && textRgb &&
      contrast(primaryRgb, textRgb) >= MIN_CONTRAST &&
      BACKGROUNDS.every((background) => contrast(primaryRgb, parseHex(background)) >= MIN_CONTRAST);
    if (readable) return { primary, primaryText };
    console.warn(
      `ALK chat: the colours ${primary} / ${primaryText} are not #rrggbb colours with a ` +
      `contrast of at least ${MIN_CONTRAST}:1 with each other and with white; using the defaults.`
    );
    return { primary: DEFAULTS.primaryColour, primaryText: DEFAULTS.primaryTextColour };
  }

  // ---- DOM helpers -----------------------------------------------------------

  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      node.setAttribute(name, value);
    }
    node.append(...children);
    return node;
  }

  function visuallyHidden(text) {
    return element("span", { class: "alk-chat__visually-hidden" }, text);
  }

  /** Appends text with each http(s) URL as a link; line breaks stay (CSS pre-line). */
  function appendWithLinks(parent, text) {
    let last = 0;
    for (const match of text.matchAll(URL_PATTERN)) {
      const url = match[0].replace(TRAILING_PUNCTUATION, "");
      parent.append(text.slice(last, match.index));
      const link = element("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, url);
      link.append(visuallyHidden(" (opens in a new tab)"));
      parent.append(link);
      last = match.index + url.length;
    }
    parent.append(text.slice(last));
  }

  // ---- storage ---------------------------------------------------------------

  /** Where the conversation is kept: sessionStorage, or nowhere. */
  function conversationStore(persistence, serverUrl) {
    const key = `alk-chat:${serverUrl}`;
    let storage = null;
    try {
      storage = persistence === "session" ? window.sessionStorage : null;
    } catch (error) {
      storage = null; // storage blocked by the browser: keep the chat in memory only
    }
    return {
      load() {
        try {
          const saved = JSON.parse(storage && storage.getItem(key));
          if (saved && Array.isArray(saved.messages)) return saved;
        } catch (error) {
          // unreadable: start afresh
        }
        return { sessionId: null, messages: [] };
      },
      save(conversation) {
        if (storage) storage.setItem(key, JSON.stringify(conversation));
      },
      clear() {
        if (storage) storage.removeItem(key);
      },
    };
  }

  /** A bot_uttered event as {text, buttons}; anything else in it is ignored. */
  function readBotMessage(event) {
    const data = event && typeof event === "object" ? event : {};
    const parts = [];
    if (typeof data.text === "string") parts.push(data.text);
    const attachment = data.attachment && data.attachment.payload;
    const attachmentUrl = attachment && (attachment.src || attachment.url);
    if (typeof attachmentUrl === "string" && /^https?:\/\//.test(attachmentUrl)) {
      parts.push(attachmentUrl);
    }
    const buttons = (data.quick_replies || data.buttons || [])
      .filter((button) => button && typeof button.title === "string" && typeof button.payload === "string")
      .map((button) => ({ title: button.title, payload: button.payload }));
    return { text: parts.join("\n"), buttons };
  }

  // ---- the widget -------------------------------------------------------------

  class Chat {
    constructor(root, options) {
      this.options = { ...DEFAULTS, ...options };
      this.store = conversationStore(this.options.persistence, this.options.serverUrl);
      this.conversation = this.store.load();
      this.ready = false; // the server confirmed our session
      this.waiting = []; // payloads sent before it did
      this.build(root);
      this.conversation.messages.forEach((message) => this.render(message));
      this.connect();
    }

    build(root) {
      const id = `alk-chat-${++instances}`;
      const { title, headingLevel } = this.options;
      const colours = readableColours(this.options.primaryColour, this.options.primaryTextColour);
      const level = Math.min(Math.max(parseInt(headingLevel, 10) || 2, 1), 6);

      this.log = element("div", {
        class: "alk-chat__log",
        role: "log",
        "aria-live": "polite",
        "aria-labelledby": `${id}-title`,
        tabindex: "0", // scrollable: reachable by keyboard
      });
      this.typing = element("p", { class: "alk-chat__typing", role: "status" });
      this.notice = element("p", { class: "alk-chat__notice", role: "alert" });
      this.input = element("input", {
        id: `${id}-input`,
        class: "alk-chat__input",
        type: "text",
        autocomplete: "off",
        enterkeyhint: "send",
      });
      const newConversation = element(
        "button", { type: "button", class: "alk-chat__new" }, "New conversation"
      );
      newConversation.addEventListener("click", () => this.restart());
      const form = element(
        "form",
        { class: "alk-chat__form" },
        element("label", { for: `${id}-input`, class: "alk-chat__label" }, "Your question"),
        element(
          "div",
          { class: "alk-chat__row" },
          this.input,
          element("button", { type: "submit", class: "alk-chat__send" }, "Send")
        )
      );
      form.addEventListener("submit", (event) => {
        event.preventDefault();
        const text = this.input.value.trim();
        if (!text) return;
        this.input.value = "";
        this.send(text, text);
      });

      this.section = element(
        "section",
        { class: "alk-chat", "aria-labelledby": `${id}-title` },
        element(
          "div",
          { class: "alk-chat__header" },
          element(`h${level}`, { id: `${id}-title`, class: "alk-chat__title" }, title),
          newConversation
        ),
        this.notice,
        this.log,
        this.typing,
        form
      );
      this.section.style.setProperty("--alk-primary", colours.primary);
      this.section.style.setProperty("--alk-primary-text", colours.primaryText);
      root.append(this.section);
    }

    connect() {
      const server = new URL(this.options.serverUrl);
      this.socket = window.io(server.origin, {
        path: `${server.pathname.replace(/\/+$/, "")}/socket.io`,
      });
      this.socket.on("connect", () => {
        this.socket.emit("session_request", { session_id: this.conversation.sessionId });
      });
      this.socket.on("session_confirm", (sessionId) => this.confirmed(sessionId));
      this.socket.on("bot_uttered", (event) => this.receive(event));
      this.socket.on("disconnect", () => {
        this.ready = false;
      });
      this.socket.on("connect_error", () => {
        this.ready = false;
        this.showNotice(
          `${this.options.title} cannot be reached right now; trying again. ${this.options.urgentText}`.trim()
        );
      });
    }

    confirmed(sessionId) {
      this.conversation.sessionId = String(sessionId);
      this.store.save(this.conversation);
      this.ready = true;
      this.showNotice("");
      if (!this.conversation.messages.length && !this.waiting.length && this.options.greetingPayload) {
        this.emit(this.options.greetingPayload);
        this.setTyping(true);
      }
      this.waiting.splice(0).forEach((payload) => this.emit(payload));
    }

    emit(payload) {
      this.socket.emit("user_uttered", { message: payload, session_id: this.conversation.sessionId });
    }

    /** Shows `shown` as the person's message and sends `payload`. */
    send(payload, shown) {
      this.add({ from: "user", text: shown, buttons: [] });
      this.setTyping(true);
      if (this.ready) this.emit(payload);
      else this.waiting.push(payload);
    }

    receive(event) {
      const message = readBotMessage(event);
      if (!message.text && !message.buttons.length) return;
      this.setTyping(false);
      this.add({ from: "bot", ...message });
    }

    add(message) {
      this.conversation.messages.push(message);
      this.store.save(this.conversation);
      this.render(message);
    }

    render(message) {
      const fromBot = message.from === "bot";
      const text = element("p", { class: "alk-chat__text" });
      text.append(visuallyHidden(fromBot ? `${this.options.title}: ` : "You: "));
      appendWithLinks(text, message.text);
      const item = element("div", { class: `alk-chat__message alk-chat__message--${fromBot ? "bot" : "user"}` }, text);
      if (message.buttons.length) {
        const group = element("div", { class: "alk-chat__buttons", role: "group", "aria-label": "Suggested questions" });
        for (const { title, payload } of message.buttons) {
          const button = element("button", { type: "button", class: "alk-chat__button" }, title);
          button.addEventListener("click", () => this.send(payload, title));
          group.append(button);
        }
        item.append(group);
      }
      this.log.append(item);
      this.log.scrollTop = this.log.scrollHeight;
    }

    setTyping(on) {
      this.typing.textContent = on ? `${this.options.title} is typing…` : "";
      this.typing.classList.toggle("alk-chat__typing--on", on);
    }

    showNotice(text) {
      if (this.notice.textContent !== text) this.notice.textContent = text;
    }

    /** Forgets this conversation and starts a new one on a new connection. */
    restart() {
      this.store.clear();
      this.conversation = { sessionId: null, messages: [] };
      this.waiting = [];
      this.log.replaceChildren();
      this.setTyping(false);
      this.socket.disconnect();
      this.socket.connect();
      this.input.focus();
    }
  }

  /** Settings from the script tag's data-* attributes (data-server-url -> serverUrl). */
  function settingsFrom(script) {
    const settings = {};
    for (const name of Object.keys(DEFAULTS)) {
      if (script.dataset[name]) settings[name] = script.dataset[name];
    }
    return settings;
  }

  window.AlkChat = {
    mount(rootElement, options) {
      return new Chat(rootElement, options || {});
    },
  };

  const script = document.currentScript;
  if (script && script.dataset.mount) {
    const start = () => {
      const root = document.querySelector(script.dataset.mount);
      if (root) window.AlkChat.mount(root, settingsFrom(script));
      else console.warn(`ALK chat: no element matches data-mount="${script.dataset.mount}".`);
    };
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  }
})();
