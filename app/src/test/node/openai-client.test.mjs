// The official openai package against a running `serve`; OpenAiNodeClientTest starts the service,
// passes its URL, token and the text the Java library generates, and runs this with `node --test`.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const baseURL = process.env.CHARLSTM_URL;
const apiKey = process.env.CHARLSTM_TOKEN;
const expected = process.env.EXPECTED_TEXT; // prompt "Masks are", 40 characters, temperature 0.8, seed 7
assert.ok(baseURL && apiKey && expected, 'CHARLSTM_URL, CHARLSTM_TOKEN and EXPECTED_TEXT must be set');

// No retries: a 4xx must surface at once, and a flaky 5xx must fail the test rather than hide.
const client = new OpenAI({ baseURL, apiKey, maxRetries: 0 });
const request = { model: 'faq', prompt: 'Masks are', max_tokens: 40, temperature: 0.8, seed: 7 };

test('completions.create returns the library\'s text in OpenAI\'s shape', async () => {
  const completion = await client.completions.create(request);
  assert.equal(completion.object, 'text_completion');
  assert.match(completion.id, /^cmpl-/);
  assert.equal(completion.model, 'faq');
  assert.equal(completion.choices.length, 1);
  assert.equal(completion.choices[0].text, expected);
  assert.equal(completion.choices[0].finish_reason, 'length');
  assert.deepEqual(completion.usage, { prompt_tokens: 9, completion_tokens: 40, total_tokens: 49 });
});

test('a streamed completion adds up to the same text, one id, then ends', async () => {
  const stream = await client.completions.create({ ...request, stream: true, stream_options: { include_usage: true } });
  let text = '';
  const ids = new Set();
  let finish = null;
  let usage = null;
  let chunks = 0;
  for await (const chunk of stream) {
    chunks++;
    ids.add(chunk.id);
    if (chunk.usage) {
      usage = chunk.usage;
      continue;
    }
    text += chunk.choices[0].text;
    finish = chunk.choices[0].finish_reason ?? finish;
  }
  assert.equal(text, expected);
  assert.equal(ids.size, 1);
  assert.equal(finish, 'length');
  assert.equal(usage.completion_tokens, 40);
  assert.ok(chunks > 10, `expected a chunk per character or so, got ${chunks}`);
});

test('logprobs come back per character', async () => {
  const completion = await client.completions.create({ ...request, logprobs: 3 });
  const lp = completion.choices[0].logprobs;
  assert.equal(lp.tokens.join(''), expected);
  assert.equal(lp.token_logprobs.length, 40);
  assert.ok(lp.token_logprobs.every((x) => x <= 0));
  assert.ok(lp.top_logprobs.every((top) => Object.keys(top).length === 3));
  assert.equal(lp.text_offset[0], 'Masks are'.length);
});

test('models.list lists the served model in OpenAI\'s shape', async () => {
  const ids = [];
  for await (const model of client.models.list()) {
    assert.equal(model.object, 'model');
    assert.equal(model.owned_by, 'charlstm');
    assert.equal(typeof model.created, 'number');
    ids.push(model.id);
  }
  assert.deepEqual(ids, ['faq']);
  const one = await client.models.retrieve('faq');
  assert.equal(one.id, 'faq');
});

test('a bad request is a BadRequestError naming the field', async () => {
  await assert.rejects(client.completions.create({ ...request, max_tokens: 10001 }), (e) => {
    assert.ok(e instanceof OpenAI.BadRequestError, `got ${e}`);
    assert.equal(e.status, 400);
    assert.equal(e.param, 'max_tokens');
    assert.equal(e.type, 'invalid_request_error');
    assert.match(e.message, /max_tokens/);
    return true;
  });
  await assert.rejects(client.completions.create({ ...request, presence_penalty: 1 }), (e) => {
    assert.equal(e.status, 400);
    assert.equal(e.param, 'presence_penalty');
    return true;
  });
});

test('a wrong key is an AuthenticationError, chat is a NotFoundError pointing to completions', async () => {
  const wrong = new OpenAI({ baseURL, apiKey: 'wrong', maxRetries: 0 });
  await assert.rejects(wrong.completions.create(request), (e) => e instanceof OpenAI.AuthenticationError && e.status === 401);
  await assert.rejects(client.chat.completions.create({ model: 'faq', messages: [{ role: 'user', content: 'Hi' }] }),
    (e) => {
      assert.ok(e instanceof OpenAI.NotFoundError, `got ${e}`);
      assert.match(e.message, /\/v1\/completions/);
      return true;
    });
});
