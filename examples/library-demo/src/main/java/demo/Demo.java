package demo;

import dev.charlstm.generate.GenerationOptions;
import dev.charlstm.generate.Generator;
import dev.charlstm.generate.InvalidModelException;
import dev.charlstm.generate.Sample;
import dev.charlstm.generate.Score;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Loads a charlstm model three ways (a file, a stream, a class-path resource) and prints a seeded
 * sample, the same sample as it streams, and a score: all a JVM program needs to use one.
 */
public final class Demo {

    public static void main(String[] args) throws Exception {
        if (args.length < 1 || args.length > 2) {
            System.err.println("usage: Demo MODEL.zip [TEXT-TO-SCORE]");
            System.exit(2);
        }
        Generator generator;
        try {
            generator = Generator.load(Path.of(args[0]));
        } catch (InvalidModelException e) {
            System.err.println("demo: " + e.getMessage());
            System.exit(1);
            return;
        }
        GenerationOptions options = GenerationOptions.builder()
                .prime("Th")
                .length(120)
                .temperature(0.8)
                .seed(2021L)
                .build();
        Sample sample = generator.generate(options).get(0);
        System.out.println("SAMPLE-BEGIN" + sample.fullText() + "SAMPLE-END");

        StringBuilder streamed = new StringBuilder();
        generator.generate(options, (index, text) -> streamed.append(text));
        System.out.println("STREAM-BEGIN" + streamed + "STREAM-END");

        String text = args.length > 1 ? args[1] : "Masks are required in all campus buildings.";
        Score score = generator.score(text);
        System.out.println("SCORE=" + score.chars() + " " + Double.toHexString(score.lossNats()));

        try (InputStream in = Files.newInputStream(Path.of(args[0]))) {
            System.out.println("FROM-STREAM-SAME=" + Generator.load(in).generate(options).get(0).equals(sample));
        }
        // A model can ship inside the program's jar: put it in src/main/resources/models/demo.zip.
        try {
            System.out.println("FROM-RESOURCE-SAME="
                    + Generator.loadResource("/models/demo.zip").generate(options).get(0).equals(sample));
        } catch (InvalidModelException e) {
            System.out.println("FROM-RESOURCE-SAME=absent (" + e.getMessage() + ")");
        }

        // What this program does not carry: a logging binding, ND4J, DL4J.
        System.out.println("LOGBACK-ON-CLASSPATH=" + onClassPath("ch.qos.logback.classic.Logger"));
        System.out.println("ND4J-ON-CLASSPATH=" + onClassPath("org.nd4j.linalg.factory.Nd4j"));
        System.out.println("DL4J-ON-CLASSPATH=" + onClassPath("org.deeplearning4j.nn.multilayer.MultiLayerNetwork"));
    }

    private static boolean onClassPath(String className) {
        try {
            Class.forName(className, false, Demo.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException e) {
            return false;
        }
    }
}
