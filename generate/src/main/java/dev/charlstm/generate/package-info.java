/**
 * The library: load a trained {@code model.zip} (from a file, a stream or the class path),
 * generate text from it and score text with it, through a forward pass in plain Java.
 * <b>Library — stable</b>: the public API for other JVM programs is
 * {@link dev.charlstm.generate.Generator}, {@link dev.charlstm.generate.GenerationOptions},
 * {@link dev.charlstm.generate.Sample}, {@link dev.charlstm.generate.Score},
 * {@link dev.charlstm.generate.ModelInfo} and {@link dev.charlstm.generate.InvalidModelException};
 * no other charlstm type appears in it. {@code BatchScheduler}, {@code CharLogProbs} and
 * {@code LogProbListener} are public for the application's service but are not in the documented API.
 *
 * <pre>{@code
 * Generator g = Generator.loadResource("/models/faq.zip");
 * System.out.println(g.generate(GenerationOptions.builder().prime("Masks ").seed(1L).build()).get(0).fullText());
 * }</pre>
 *
 * <p>Depends on {@code format}, {@code network} and {@code text} (all in this module), plus
 * jackson-jr through {@code format}; never on the application's packages.
 */
package dev.charlstm.generate;
