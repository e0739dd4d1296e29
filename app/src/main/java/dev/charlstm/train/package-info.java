/**
 * Training: the configuration, the planner that picks a network for the machine and budget, the
 * network, the gradient engines ({@code BlasLstm}, {@code Nd4jLstm}, DL4J's own), truncated BPTT,
 * the training loop with checkpoints and resume, and what a run writes (model, metrics, chart).
 * <b>Internal</b>: {@code Training} and {@code TrainConfig} are public for {@code cli}.
 *
 * <p>Depends on {@code model}, {@code corpus} (the text, handed in as a {@code SourceText} by a
 * {@code TextSource}), {@code io} and {@code generate} (samples during training). Never on
 * scrape, serve or cli: the command line prepares the data and hands it in.
 */
package dev.charlstm.train;
