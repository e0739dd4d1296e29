package dev.charlstm.generate;

/**
 * What a loaded model is, as its file describes it.
 *
 * @param vocabulary     the characters it reads and writes, in index order
 * @param layers         stacked LSTM layers
 * @param hiddenSize     units per LSTM layer
 * @param valLossNats    validation loss recorded at training time (nats per character), or null
 * @param trainedAt      ISO-8601 time the model was saved
 * @param corpusSha256   SHA-256 of the normalised training text
 */
public record ModelInfo(String vocabulary, int layers, int hiddenSize, Double valLossNats, String trainedAt,
                        String corpusSha256) {}
