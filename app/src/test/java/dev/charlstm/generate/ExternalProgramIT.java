package dev.charlstm.generate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.charlstm.testing.Fixtures;
import dev.charlstm.testing.TinyModels;
import dev.charlstm.testing.Zips;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library as another program gets it: the {@code charlstm-generate} artifact installed into
 * a local repository, and {@code examples/library-demo}, which depends on it alone, loading a
 * model this application trained and printing what it generates, streams and scores.
 */
class ExternalProgramIT {

    private static final String TEXT = "Masks are required in all campus buildings.";

    @TempDir
    Path dir;

    @Test
    void theLibraryAloneLoadsAModelAndGeneratesWhatTheApplicationDoes() throws Exception {
        // Install from a copy, so the nested build never touches the classes this test runs from.
        Path project = dir.resolve("charlstm");
        copy(Fixtures.PROJECT.resolve("pom.xml"), project.resolve("pom.xml"));
        copy(Fixtures.PROJECT.resolve("app/pom.xml"), project.resolve("app/pom.xml"));
        copy(Fixtures.PROJECT.resolve("generate/pom.xml"), project.resolve("generate/pom.xml"));
        copyTree(Fixtures.PROJECT.resolve("generate/src/main"), project.resolve("generate/src/main"));
        copyTree(Fixtures.PROJECT.resolve(".mvn"), project.resolve(".mvn"));
        run(project, 0, "mvn", "-B", "-q", "-pl", "generate", "-am", "install", "-Dmaven.test.skip=true");

        // A model as the application trains it: the training loop, its checkpoints and model.zip.
        TinyModels.train(Fixtures.faqHead(dir, 4000), dir.resolve("run"), null, "layers=2");
        Path model = dir.resolve("run").resolve("model.zip");
        Path demo = dir.resolve("library-demo");
        copyTree(Fixtures.PROJECT.resolve("examples/library-demo"), demo);
        copy(model, demo.resolve("src/main/resources/models/demo.zip"));

        // Nothing but the library and Jackson's small reader reaches the program's class path.
        Path classPath = dir.resolve("classpath.txt");
        run(demo, 0, "mvn", "-B", "-q", "dependency:build-classpath", "-Dmdep.outputFile=" + classPath);
        List<Path> jars = Stream.of(Files.readString(classPath).trim().split(File.pathSeparator))
                .map(Path::of).toList();
        Set<String> names = new TreeSet<>();
        long bytes = 0;
        for (Path jar : jars) {
            names.add(jar.getFileName().toString());
            bytes += Files.size(jar);
        }
        assertThat(names).containsExactly("charlstm-generate-0.1.0-SNAPSHOT.jar", "jackson-core-2.18.2.jar",
                "jackson-jr-objects-2.18.2.jar");
        assertThat(bytes).as("class path bytes").isLessThanOrEqualTo(2L << 20);

        String output = run(demo, 0, "mvn", "-B", "-q", "compile", "exec:java",
                "-Dexec.args=" + model + " '" + TEXT + "'");

        Generator here = Generator.load(model);
        GenerationOptions options = GenerationOptions.builder().prime("Th").length(120).temperature(0.8)
                .seed(2021L).build();
        String expected = here.generate(options).get(0).fullText();
        StringBuilder streamed = new StringBuilder();
        here.generate(options, (i, text) -> streamed.append(text));
        Score score = here.score(TEXT);
        assertThat(output).contains("SAMPLE-BEGIN" + expected + "SAMPLE-END")
                .contains("STREAM-BEGIN" + streamed + "STREAM-END")
                .contains("SCORE=" + score.chars() + " " + Double.toHexString(score.lossNats()))
                .contains("FROM-STREAM-SAME=true", "FROM-RESOURCE-SAME=true")
                .contains("ND4J-ON-CLASSPATH=false", "DL4J-ON-CLASSPATH=false", "LOGBACK-ON-CLASSPATH=false");

        // A model written before the plain weights existed: one line that says how to upgrade it.
        Path old = Zips.withoutPlainWeights(model, dir.resolve("old.zip"));
        String refused = run(demo, 1, "mvn", "-B", "-q", "exec:java", "-Dexec.args=" + old);
        assertThat(refused).contains("demo: " + old + ": was written in format version 1")
                .contains("`charlstm upgrade-model " + old + "`");
    }

    private static String run(Path dir, int exitCode, String... command) throws IOException, InterruptedException {
        Path log = Files.createTempFile("mvn", ".log");
        Process p = new ProcessBuilder(List.of(command)).directory(dir.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean finished = p.waitFor(10, TimeUnit.MINUTES);
        String output = Files.readString(log, StandardCharsets.UTF_8);
        if (!finished) {
            p.destroyForcibly();
        }
        boolean ok = finished && (exitCode == 0 ? p.exitValue() == 0 : p.exitValue() != 0);
        assertThat(ok).as("%s in %s exited %s:%n%s", String.join(" ", command), dir,
                finished ? p.exitValue() : "never", output).isTrue();
        return output;
    }

    private static void copy(Path from, Path to) throws IOException {
        Files.createDirectories(to.getParent());
        Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void copyTree(Path from, Path to) throws IOException {
        List<Path> files = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(from)) {
            walk.filter(Files::isRegularFile).forEach(files::add);
        }
        for (Path f : files) {
            if (!from.relativize(f).toString().startsWith("target")) {
                copy(f, to.resolve(from.relativize(f).toString()));
            }
        }
    }
}
