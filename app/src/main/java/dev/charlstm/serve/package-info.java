/**
 * The HTTP sampling service: its own JSON and server-sent-event API, the OpenAI-compatible
 * completions and models endpoints, the model registry with one batch scheduler per model,
 * limits, metrics, the OpenAPI document and the page. <b>Internal</b>: {@code SamplingService}
 * is public for {@code cli}; the HTTP API, not the Java one, is what clients rely on.
 *
 * <p>May depend on {@code generate} and {@code corpus} only; never on train, model or scrape.
 */
package dev.charlstm.serve;
