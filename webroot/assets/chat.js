// Chat test against qbridge's own /v1 APIs, streamed: Anthropic Messages ("Claude") or OpenAI
// Chat Completions. Thinking and tool calls render apart from the answer text; Stop aborts the
// fetch, which closes the connection, and qbridge then cancels the upstream call.

import { t } from './i18n.js';

const $ = (id) => document.getElementById(id);

export class Chat {
  constructor() {
    this.history = [];
    this.controller = null;
    this.apiKeyRequired = false;
    $('chat-form').addEventListener('submit', (e) => {
      e.preventDefault();
      this.send();
    });
    $('chat-message').addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        this.send();
      }
    });
    $('chat-stop').addEventListener('click', () => this.stop());
    $('chat-clear').addEventListener('click', () => this.clear());
    $('chat-api-key').addEventListener('change', () => this.loadModels());
  }

  /** With OPENAI_KEYS set the chat APIs want a client key: ask for one (kept in this page only). */
  setApiKeyRequired(required) {
    this.apiKeyRequired = required;
    $('chat-api-key').hidden = !required;
    $('chat-api-key-label').hidden = !required;
  }

  headers(apiName) {
    const headers = { 'content-type': 'application/json', accept: 'text/event-stream' };
    const key = $('chat-api-key').value;
    if (key) {
      if (apiName === 'claude') headers['x-api-key'] = key;
      else headers.authorization = `Bearer ${key}`;
    }
    return headers;
  }

  async loadModels() {
    const select = $('chat-model');
    try {
      const response = await fetch('/v1/models', { headers: this.headers('openai'), credentials: 'same-origin' });
      if (!response.ok) return;
      const list = await response.json();
      const previous = select.value;
      select.replaceChildren();
      for (const m of list.data || []) {
        const option = document.createElement('option');
        option.value = m.id;
        option.textContent = m.id;
        select.appendChild(option);
      }
      const ids = (list.data || []).map((m) => m.id);
      select.value = ids.includes(previous) ? previous : (ids.includes('claude-sonnet-4.5') ? 'claude-sonnet-4.5' : ids[0] || '');
    } catch {
      // the chat form still works with whatever model is selected
    }
  }

  clear() {
    this.stop();
    this.history = [];
    $('chat-log').replaceChildren();
    $('chat-stats').textContent = '';
    $('chat-error').textContent = '';
  }

  stop() {
    if (this.controller) this.controller.abort();
  }

  async send() {
    const text = $('chat-message').value.trim();
    if (!text || this.controller) return;
    $('chat-error').textContent = '';
    $('chat-stats').textContent = '';
    const apiName = $('chat-api').value;
    const model = $('chat-model').value;
    const thinking = $('chat-thinking').checked;
    this.history.push({ role: 'user', content: text });
    $('chat-message').value = '';
    addMessage('user', t('you')).appendChild(document.createTextNode(text));
    const view = new AnswerView(addMessage('assistant', t('assistant')));

    const controller = new AbortController();
    this.controller = controller;
    $('chat-send').disabled = true;
    $('chat-stop').disabled = false;
    const started = performance.now();
    const usage = { input: '–', output: '–' };
    let ttft = null;
    const onContent = () => {
      if (ttft === null) ttft = performance.now() - started;
    };
    try {
      const request = apiName === 'claude' ? claudeRequest(model, this.history, thinking) : openAiRequest(model, this.history, thinking);
      const response = await fetch(request.path, {
        method: 'POST', headers: this.headers(apiName), body: JSON.stringify(request.body),
        signal: controller.signal, credentials: 'same-origin',
      });
      if (!response.ok) {
        let message = `HTTP ${response.status}`;
        try {
          const err = await response.json();
          message = (err.error && err.error.message) || message;
        } catch { /* not JSON */ }
        throw new Error(message);
      }
      const handle = apiName === 'claude' ? claudeEvents(view, usage, onContent) : openAiEvents(view, usage, onContent);
      await readSse(response.body, handle);
      this.history.push({ role: 'assistant', content: view.text || '…' });
    } catch (e) {
      if (e.name === 'AbortError') {
        view.note(t('stopped'));
        this.history.push({ role: 'assistant', content: view.text || '…' });
      } else {
        view.failure(e.message);
        this.history.pop();
      }
    } finally {
      this.controller = null;
      $('chat-send').disabled = false;
      $('chat-stop').disabled = true;
      const duration = performance.now() - started;
      $('chat-stats').textContent = t('stats', {
        ttft: ttft === null ? '–' : `${Math.round(ttft)} ms`,
        duration: `${Math.round(duration)} ms`,
        input: usage.input, output: usage.output,
      });
      $('chat-message').focus();
    }
  }
}

function claudeRequest(model, history, thinking) {
  const body = { model, max_tokens: 4096, stream: true, messages: history.map((m) => ({ role: m.role, content: m.content })) };
  if (thinking) body.thinking = { type: 'enabled', budget_tokens: 2048 };
  return { path: '/v1/messages', body };
}

function openAiRequest(model, history, thinking) {
  const body = { model, stream: true, stream_options: { include_usage: true }, messages: history.map((m) => ({ role: m.role, content: m.content })) };
  if (thinking) body.reasoning_effort = 'low';
  return { path: '/v1/chat/completions', body };
}

/** Anthropic SSE events → the answer view. */
function claudeEvents(view, usage, onContent) {
  return (event, data) => {
    if (data === '[DONE]') return;
    const d = JSON.parse(data);
    const type = event || d.type;
    if (type === 'message_start' && d.message && d.message.usage) usage.input = d.message.usage.input_tokens ?? '–';
    else if (type === 'content_block_start' && d.content_block && d.content_block.type === 'tool_use') {
      onContent();
      view.tool(d.index, d.content_block.name, '');
    } else if (type === 'content_block_delta' && d.delta) {
      onContent();
      if (d.delta.type === 'text_delta') view.appendText(d.delta.text);
      else if (d.delta.type === 'thinking_delta') view.appendThinking(d.delta.thinking);
      else if (d.delta.type === 'input_json_delta') view.tool(d.index, null, d.delta.partial_json);
    } else if (type === 'message_delta' && d.usage) usage.output = d.usage.output_tokens ?? '–';
    else if (type === 'error') throw new Error((d.error && d.error.message) || 'stream error');
  };
}

/** OpenAI chunks → the answer view. */
function openAiEvents(view, usage, onContent) {
  return (event, data) => {
    if (data === '[DONE]') return;
    const d = JSON.parse(data);
    if (d.error) throw new Error(d.error.message || 'stream error');
    if (d.usage) {
      usage.input = d.usage.prompt_tokens ?? '–';
      usage.output = d.usage.completion_tokens ?? '–';
    }
    const delta = d.choices && d.choices[0] && d.choices[0].delta;
    if (!delta) return;
    if (delta.reasoning_content) {
      onContent();
      view.appendThinking(delta.reasoning_content);
    }
    if (delta.content) {
      onContent();
      view.appendText(delta.content);
    }
    for (const call of delta.tool_calls || []) {
      onContent();
      view.tool(call.index, call.function && call.function.name, (call.function && call.function.arguments) || '');
    }
  };
}

/** Reads an SSE body, calling handle(eventName, data) per event, as the bytes arrive. */
async function readSse(body, handle) {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, '\n');
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = null;
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) event = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length) {
        try {
          handle(event, data.join('\n'));
        } catch (e) {
          reader.cancel().catch(() => {});
          throw e;
        }
      }
    }
  }
}

function addMessage(role, title) {
  const div = document.createElement('div');
  div.className = `msg ${role}`;
  const label = document.createElement('span');
  label.className = 'role';
  label.textContent = title;
  div.appendChild(label);
  $('chat-log').appendChild(div);
  return div;
}

/** One assistant answer: thinking, tool calls and text as separate, distinctly styled parts. */
class AnswerView {
  constructor(root) {
    this.root = root;
    this.text = '';
    this.textNode = null;
    this.thinkingNode = null;
    this.tools = new Map();
  }

  appendThinking(s) {
    if (!this.thinkingNode) {
      const div = document.createElement('div');
      div.className = 'thinking';
      div.dataset.part = 'thinking';
      const label = document.createElement('span');
      label.className = 'role';
      label.textContent = t('thinkingLabel');
      div.appendChild(label);
      this.thinkingNode = document.createTextNode('');
      div.appendChild(this.thinkingNode);
      this.root.appendChild(div);
    }
    this.thinkingNode.appendData(s);
  }

  appendText(s) {
    if (!this.textNode) {
      const span = document.createElement('span');
      span.className = 'text';
      span.dataset.part = 'text';
      this.textNode = document.createTextNode('');
      span.appendChild(this.textNode);
      this.root.appendChild(span);
    }
    this.text += s;
    this.textNode.appendData(s);
  }

  tool(index, name, argumentsPart) {
    let entry = this.tools.get(index);
    if (!entry) {
      const div = document.createElement('div');
      div.className = 'tool';
      div.dataset.part = 'tool';
      const label = document.createElement('span');
      label.className = 'role';
      div.appendChild(label);
      const args = document.createTextNode('');
      div.appendChild(args);
      this.root.appendChild(div);
      entry = { label, args };
      this.tools.set(index, entry);
    }
    if (name) entry.label.textContent = `${t('toolLabel')}: ${name}`;
    if (argumentsPart) entry.args.appendData(argumentsPart);
  }

  note(s) {
    const span = document.createElement('span');
    span.className = 'sub';
    span.dataset.part = 'note';
    span.textContent = `(${s})`;
    this.root.appendChild(span);
  }

  failure(message) {
    const span = document.createElement('span');
    span.className = 'failure';
    span.dataset.part = 'error';
    span.textContent = message;
    this.root.appendChild(span);
    $('chat-error').textContent = message;
  }
}


