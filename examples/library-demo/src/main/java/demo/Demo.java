package demo;

import dev.charlstm.generate.GenerationOptions;
import dev.charlstm.generate.Generator;
import dev.charlstm.generate.Sample;
import java.nio.file.Path;

/** Loads a charlstm model and prints a sample: all a JVM program needs to use one. */
public final class Demo {

    public static void main(String[] args) throws Exception {
        if (args.length != 1) {
            System.err.println("usage: Demo MODEL.zip");
            System.exit(2);
        }
        Generator generator = Generator.load(Path.of(args[0]));
        GenerationOptions options = GenerationOptions.builder()
                .prime("Th")
                .length(120)
                .temperature(0.8)
                .seed(2021L)
                .build();
        Sample sample = generator.generate(options).get(0);
        System.out.println("SAMPLE-BEGIN" + sample.fullText() + "SAMPLE-END");
        // A library brings no logging binding of its own: this program chose none, so none is here.
        System.out.println("LOGBACK-ON-CLASSPATH=" + onClassPath("ch.qos.logback.classic.Logger"));
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
