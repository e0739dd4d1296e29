/**
 * The library: load a trained {@code model.zip}, generate text from it and score text with it,
 * through a forward pass in plain Java. <b>Library — stable</b>: the public API for other JVM
 * programs is {@link dev.charlstm.generate.Generator}, {@link dev.charlstm.generate.GenerationOptions},
 * {@link dev.charlstm.generate.Sample}, {@link dev.charlstm.generate.Score},
 * {@link dev.charlstm.generate.ModelInfo} and {@link dev.charlstm.generate.InvalidModelException};
 * no ND4J, DL4J or other charlstm types appear in it. {@code BatchScheduler}, {@code CharLogProbs}
 * and {@code LogProbListener} are public for {@code serve} but are not in the documented API.
 *
 * <p>May depend on {@code model} and {@code corpus} only; never on train, serve, cli or scrape.
 */
package dev.charlstm.generate;
