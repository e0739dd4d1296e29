import OpenAI from 'openai';

const client = new OpenAI({
  baseURL: process.env.CHARLSTM_URL ?? 'http://127.0.0.1:8080/v1',
  apiKey: process.env.CHARLSTM_TOKEN ?? 'none', // any value when serve runs without --token
});

const completion = await client.completions.create({
  model: 'faq', prompt: 'Masks are', max_tokens: 40, temperature: 0.8, seed: 7,
});
console.log(completion.choices[0].text);

const stream = await client.completions.create({
  model: 'faq', prompt: 'Masks are', max_tokens: 40, temperature: 0.8, seed: 7, stream: true,
});
for await (const chunk of stream) {
  process.stdout.write(chunk.choices[0]?.text ?? '');
}
console.log();
