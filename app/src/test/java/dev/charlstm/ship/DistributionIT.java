package dev.charlstm.ship;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.charlstm.testing.Fixtures;
import dev.charlstm.testing.TinyModels;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The distribution that {@code mvn package} builds, and the Docker files that copy it.
 *
 * <p>No Docker engine runs here, so instead of building images this test builds what the
 * Dockerfiles' build stage builds ({@code mvn -B -q -DskipTests package} on a copy of the same
 * inputs, never in the working tree), checks that every path, name and port in the Dockerfiles,
 * compose file and nginx config matches it, and runs the image's command line on this machine.
 */
class DistributionIT {

    /** What the Dockerfiles' build stage copies: the build's whole input. */
    static final List<String> BUILD_INPUTS = List.of("pom.xml", ".mvn", "config", "generate/pom.xml", "generate/src/main",
            "app/pom.xml", "app/src/main");

    @TempDir
    static Path work;
    static Path project;
    static String version;
    static Path dist;
    static Path models;

    @BeforeAll
    static void packageACopyOfTheProject() throws Exception {
        project = work.resolve("project");
        for (String input : BUILD_INPUTS) {
            copy(Fixtures.PROJECT.resolve(input), project.resolve(input));
        }
        copy(Fixtures.PROJECT.resolve("docker"), project.resolve("docker"));
        copy(Fixtures.PROJECT.resolve(".dockerignore"), project.resolve(".dockerignore"));
        version = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(project.resolve("pom.xml").toFile())
                .getElementsByTagName("version").item(0).getTextContent();
        run(project, Map.of(), 600, "mvn", "-B", "-q", "-DskipTests", "package");
        dist = project.resolve("app/target").resolve("charlstm-" + version);

        models = work.resolve("models");
        TinyModels.savePeaky(models.resolve("tiny").resolve("model.zip"));
    }

    // --- the distribution ------------------------------------------------------------------------

    @Test
    void distributionHoldsTheLauncherAndExactlyTheJarsTheManifestNames() throws Exception {
        Path launcher = dist.resolve("bin/charlstm");
        assertThat(Files.isExecutable(launcher)).as("%s is executable", launcher).isTrue();
        Path jar = dist.resolve("lib/charlstm-" + version + ".jar");
        Set<String> classPath;
        try (JarFile jf = new JarFile(jar.toFile())) {
            var attributes = jf.getManifest().getMainAttributes();
            assertThat(attributes.getValue("Main-Class")).isEqualTo("dev.charlstm.cli.JarMain");
            classPath = new TreeSet<>(Arrays.asList(attributes.getValue("Class-Path").split(" ")));
        }
        Set<String> lib = fileNames(dist.resolve("lib"));
        lib.remove(jar.getFileName().toString());
        assertThat(lib).as("lib/ holds exactly the manifest's Class-Path").isEqualTo(classPath);
        assertThat(lib).as("no test jars").noneMatch(n -> n.matches("(junit|opentest4j|assertj|selenium).*"));
        assertThat(lib).as("the CPU backend and its natives").contains(
                "nd4j-native-1.0.0-M2.1.jar", "nd4j-native-1.0.0-M2.1-linux-x86_64.jar",
                "openblas-0.3.19-1.5.7-linux-x86_64.jar");
        assertThat(lib).as("the runtime jars are those Maven resolves").isEqualTo(runtimeJars(""));
    }

    @Test
    void tarballUnpacksToTheSameTreeWithAnExecutableLauncher() throws Exception {
        Path tarball = project.resolve("app/target").resolve("charlstm-" + version + ".tar.gz");
        Map<String, Integer> modes = new HashMap<>();
        try (InputStream in = Files.newInputStream(tarball);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(in))) {
            for (TarArchiveEntry e = tar.getNextTarEntry(); e != null; e = tar.getNextTarEntry()) {
                if (e.isFile()) {
                    modes.put(e.getName(), e.getMode());
                }
            }
        }
        Set<String> expected = new TreeSet<>();
        try (Stream<Path> files = Files.walk(dist)) {
            files.filter(Files::isRegularFile).forEach(f -> expected.add("charlstm-" + version + "/" + dist.relativize(f)));
        }
        assertThat(new TreeSet<>(modes.keySet())).isEqualTo(expected);
        assertThat(modes.get("charlstm-" + version + "/bin/charlstm") & 0777).isEqualTo(0755);
    }

    // --- the launcher ----------------------------------------------------------------------------

    @Test
    void launcherPassesArgumentsVerbatimAfterDefaultsTheUserCanOverride() throws Exception {
        // A stand-in java that prints each argument it gets, NUL-terminated.
        Path fakeJdk = work.resolve("fake-jdk");
        Path fakeJava = fakeJdk.resolve("bin/java");
        Files.createDirectories(fakeJava.getParent());
        Files.writeString(fakeJava, "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\0' \"$a\"; done\n");
        fakeJava.toFile().setExecutable(true);
        List<String> args = List.of("sample", "--prime", "It's a \"mask\" * $HOME `id`", "", "two  spaces", "tab\there");
        Path link = symlinkToLauncher("args");
        Path jar = dist.resolve("lib/charlstm-" + version + ".jar").toRealPath();
        List<String> defaults = List.of("-Xmx2g", "-Dorg.bytedeco.javacpp.maxbytes=3G",
                "-Dorg.bytedeco.javacpp.maxphysicalbytes=4G", "-Djava.awt.headless=true");

        List<String> expected = new ArrayList<>(defaults);
        expected.addAll(List.of("-Xmx6g", "-Dglob=*", "-jar", jar.toString()));
        expected.addAll(args);
        String out = run(work, Map.of("JAVA_HOME", fakeJdk.toString(), "CHARLSTM_JAVA_OPTS", "-Xmx6g -Dglob=*"),
                30, command(link, args));
        assertThat(List.of(out.split("\0", -1))).isEqualTo(withEmptyLast(expected));

        // JAVA_OPTS is the fallback; CHARLSTM_JAVA_OPTS wins when both are set.
        String fallback = run(work, Map.of("JAVA_HOME", fakeJdk.toString(), "JAVA_OPTS", "-Xmx3g"), 30,
                command(link, List.of("--version")));
        assertThat(fallback.split("\0")).containsSubsequence("-Xmx2g", "-Xmx3g", "-jar");
        String both = run(work, Map.of("JAVA_HOME", fakeJdk.toString(), "JAVA_OPTS", "-Xmx3g",
                "CHARLSTM_JAVA_OPTS", "-Xmx5g"), 30, command(link, List.of("--version")));
        assertThat(both.split("\0")).contains("-Xmx5g").doesNotContain("-Xmx3g");
    }

    @Test
    void laterJvmOptionsWinAndABadJavaHomeIsAOneLineError() throws Exception {
        Path link = symlinkToLauncher("jvm");
        Process p = start(work, Map.of("CHARLSTM_JAVA_OPTS", "-XshowSettings:vm -Xmx300m"), link.toString(), "--version");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        assertThat(read(p, "stderr")).contains("Max. Heap Size: 300.00M");
        assertThat(read(p, "stdout")).isEqualTo("charlstm " + version + "\n");

        Process bad = start(work, Map.of("JAVA_HOME", work.resolve("no-such-jdk").toString()), link.toString(), "--version");
        assertThat(bad.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(bad.exitValue()).isEqualTo(1);
        assertThat(read(bad, "stderr")).startsWith("charlstm: error: JAVA_HOME is ").hasLineCount(1);
    }

    @Test
    void launcherThroughASymlinkPrintsWhatJavaJarPrints() throws Exception {
        Path model = models.resolve("tiny/model.zip");
        List<String> args = List.of("sample", "--model", model.toString(), "--length", "20", "--seed", "1",
                "--prime", "It's \"Th\" * ");
        Path elsewhere = Files.createDirectories(work.resolve("elsewhere"));
        String viaLauncher = run(elsewhere, Map.of(), 60, command(symlinkToLauncher("sample"), args));

        List<String> javaJar = new ArrayList<>(List.of(javaBinary(), "-jar",
                dist.resolve("lib/charlstm-" + version + ".jar").toString()));
        javaJar.addAll(args);
        String viaJavaJar = run(elsewhere, Map.of(), 60, javaJar.toArray(String[]::new));

        assertThat(viaLauncher).startsWith("It's \"Th\" * ").hasSizeGreaterThan(20).isEqualTo(viaJavaJar);
    }

    @Test
    void theJarMavenLeavesInTargetRunsFromTheDistributionBesideIt() throws Exception {
        Path targetJar = project.resolve("app/target").resolve("charlstm-" + version + ".jar");
        Path elsewhere = Files.createDirectories(work.resolve("jar-in-target"));
        String out = run(elsewhere, Map.of(), 60, javaBinary(), "-jar", targetJar.toString(), "--version");
        assertThat(out).isEqualTo("charlstm " + version + "\n");
        String help = run(elsewhere, Map.of(), 60, javaBinary(), "-jar", targetJar.toString(), "sample", "--help");
        assertThat(help).contains("--prime");

        // Alone, without a distribution beside it, it says where the runnable jar is: no stack trace.
        Path alone = Files.createDirectories(work.resolve("alone")).resolve(targetJar.getFileName());
        Files.copy(targetJar, alone);
        Process p = start(elsewhere, Map.of(), javaBinary(), "-jar", alone.toString(), "--help");
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isEqualTo(1);
        assertThat(read(p, "stderr")).startsWith("charlstm: error: " + alone + " runs only beside its runtime jars")
                .contains("bin/charlstm").hasLineCount(1);
    }

    @Test
    void logsAreCreatedOnlyWhenSomethingIsLogged() throws Exception {
        Path fresh = Files.createDirectories(work.resolve("fresh-cwd"));
        run(fresh, Map.of(), 60, symlinkToLauncher("help").toString(), "--help");
        run(fresh, Map.of(), 60, symlinkToLauncher("train-help").toString(), "train", "--help");
        assertThat(fresh.resolve("logs")).as("--help leaves no logs/ behind").doesNotExist();
        run(fresh, Map.of(), 60, symlinkToLauncher("logged").toString(), "scrape", "--snapshot", "--out",
                fresh.resolve("faq.txt").toString());
        assertThat(fresh.resolve("logs").resolve("charlstm.log")).as("a command that logs gets its file").exists();
    }

    @Test
    void theImagesCommandServesHealthzAndStopsWithExitZeroOnSigterm() throws Exception {
        Dockerfile.Stage runtime = Dockerfile.read(project.resolve("docker/Dockerfile")).stages().get(1);
        List<String> image = new ArrayList<>(runtime.only("ENTRYPOINT").execForm());
        image.addAll(runtime.only("CMD").execForm());
        int port = freePort();
        // The same command line, with the image's paths mapped onto the distribution and this machine.
        String installDir = Dockerfile.Copy.of(runtime.only("COPY")).destination().replaceAll("/$", "");
        List<String> local = image.stream().map(a -> a.startsWith(installDir + "/")
                        ? dist.resolve(a.substring(installDir.length() + 1)).toString()
                        : a.equals("/models") ? models.toString()
                        : a.equals("0.0.0.0") ? "127.0.0.1"
                        : a.equals("8080") ? String.valueOf(port) : a).toList();
        assertThat(local).doesNotContain("/models", "0.0.0.0", "8080");

        Process server = start(work, Map.of(), local.toArray(String[]::new));
        try {
            HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
            URI healthz = URI.create("http://127.0.0.1:" + port + "/healthz");
            int status = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (status != 200 && server.isAlive() && System.nanoTime() < deadline) {
                try {
                    status = http.send(HttpRequest.newBuilder(healthz).timeout(Duration.ofSeconds(2)).build(),
                            HttpResponse.BodyHandlers.discarding()).statusCode();
                } catch (IOException notYet) {
                    Thread.sleep(200);
                }
            }
            assertThat(status).as("GET /healthz; server log:%n%s", read(server, "stderr")).isEqualTo(200);
            String listed = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/models"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(listed).contains("\"tiny\"");

            server.destroy(); // SIGTERM, to the JVM itself: the launcher exec's java
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).as("stopped within 30 s").isTrue();
            assertThat(server.exitValue()).as("exit code after SIGTERM; log:%n%s", read(server, "stderr")).isZero();
        } finally {
            server.destroyForcibly();
        }
    }

    // --- the Docker files ------------------------------------------------------------------------

    @Test
    void cpuDockerfileCopiesWhatTheBuildMakes() throws Exception {
        checkDockerfile("docker/Dockerfile", "", "eclipse-temurin:17-jre");
    }

    @Test
    void cudaDockerfileCopiesWhatTheBuildMakes() throws Exception {
        // The CUDA build makes the same folder, only with other jars in lib/ (see the cuda tests below).
        checkDockerfile("docker/Dockerfile.cuda", "-Pcuda ", "nvidia/cuda:11.6.2-cudnn8-runtime-ubuntu20.04");
    }

    private void checkDockerfile(String path, String profile, String runtimeImage) throws Exception {
        Dockerfile file = Dockerfile.read(project.resolve(path));
        assertThat(file.stages()).hasSize(2);
        Dockerfile.Stage build = file.stages().get(0);
        Dockerfile.Stage runtime = file.stages().get(1);

        assertThat(build.from()).isEqualTo("maven:3.9-eclipse-temurin-17");
        List<String> copied = build.all("COPY").stream().flatMap(c -> Dockerfile.Copy.of(c).sources().stream())
                .map(s -> s.replaceAll("/$", "")).toList();
        assertThat(copied).as("%s copies the build's inputs", path).containsExactlyInAnyOrderElementsOf(BUILD_INPUTS);
        List<String> ignored = Files.readAllLines(project.resolve(".dockerignore")).stream()
                .filter(l -> !l.isBlank() && !l.startsWith("#")).map(l -> l.replaceAll("/?\\*?$", "")).toList();
        for (String source : copied) {
            assertThat(project.resolve(source)).as("COPY source %s", source).exists();
            assertThat(ignored).as(".dockerignore keeps %s", source).noneMatch(i -> source.equals(i) || source.startsWith(i + "/"));
        }
        assertThat(ignored).contains("target", "models", ".git", "logs");
        assertThat(build.all("RUN")).anyMatch(r -> r.args().contains("mvn -B -DskipTests " + profile + "package"));
        String buildDir = build.only("WORKDIR").args();

        assertThat(runtime.from()).isEqualTo(runtimeImage);
        Dockerfile.Copy install = Dockerfile.Copy.of(runtime.only("COPY"));
        assertThat(install.flags()).containsEntry("from", build.name());
        String source = runtime.expand(install.sources().get(0)).replaceAll("/$", "");
        assertThat(source).as("the distribution folder of version %s", version)
                .isEqualTo(buildDir + "/app/target/charlstm-" + version);
        assertThat(dist).isDirectory();

        String installDir = install.destination().replaceAll("/$", "");
        List<String> entrypoint = runtime.only("ENTRYPOINT").execForm();
        assertThat(entrypoint).hasSize(1);
        assertThat(entrypoint.get(0)).startsWith(installDir + "/");
        assertThat(Files.isExecutable(dist.resolve(entrypoint.get(0).substring(installDir.length() + 1)))).isTrue();

        List<String> cmd = runtime.only("CMD").execForm();
        assertThat(cmd).containsExactly("serve", "--models", "/models", "--host", "0.0.0.0", "--port", "8080");
        String port = cmd.get(cmd.indexOf("--port") + 1);
        assertThat(runtime.only("EXPOSE").args()).isEqualTo(port);
        assertThat(runtime.only("VOLUME").execForm()).contains(cmd.get(cmd.indexOf("--models") + 1), "/data");
        assertThat(runtime.only("USER").args()).isNotIn("root", "0");

        String healthcheck = runtime.only("HEALTHCHECK").args();
        assertThat(healthcheck).contains("http://127.0.0.1:" + port + "/healthz");
        String tool = healthcheck.replaceAll(".*\\bCMD\\s+", "").split("\\s+")[0];
        assertThat(runtime.all("RUN")).as("%s installs %s for the HEALTHCHECK", path, tool)
                .anyMatch(r -> r.args().matches(".*apt-get install [^&]*\\b" + Pattern.quote(tool) + "\\b.*"));
    }

    @Test
    void composeScalesTheServiceBehindNginx() throws Exception {
        Path docker = project.resolve("docker");
        JsonNode compose = new ObjectMapper(new YAMLFactory()).readTree(docker.resolve("compose.yaml").toFile());
        JsonNode service = compose.path("services").path("charlstm");
        assertThat(docker.resolve(service.path("build").path("context").asText())
                .resolve(service.path("build").path("dockerfile").asText())).isRegularFile();
        assertThat(service.path("deploy").path("replicas").asInt()).as("replicas").isGreaterThanOrEqualTo(2);
        assertThat(service.has("ports") || service.has("container_name"))
                .as("a replicated service can publish no port and have no fixed name").isFalse();
        assertThat(service.has("command")).as("replicas run the image's own CMD").isFalse();
        Dockerfile.Stage runtime = Dockerfile.read(docker.resolve("Dockerfile")).stages().get(1);
        List<String> cmd = runtime.only("CMD").execForm();
        String modelsDir = cmd.get(cmd.indexOf("--models") + 1);
        String port = cmd.get(cmd.indexOf("--port") + 1);
        assertThat(service.path("volumes").get(0).asText()).endsWith(":" + modelsDir + ":ro");

        JsonNode lb = compose.path("services").path("lb");
        assertThat(lb.path("depends_on").path("charlstm").path("condition").asText()).isEqualTo("service_healthy");
        assertThat(lb.path("ports").get(0).asText()).endsWith(":8080");
        String mount = lb.path("volumes").get(0).asText();
        Path conf = docker.resolve(mount.substring(0, mount.indexOf(':')));
        assertThat(conf).isRegularFile();
        String nginx = Files.readString(conf);
        Matcher upstream = Pattern.compile("upstream\\s+(\\S+)\\s*\\{[^}]*server\\s+([\\w.-]+):(\\d+)").matcher(nginx);
        assertThat(upstream.find()).as("an upstream block in %s", conf).isTrue();
        assertThat(upstream.group(2)).as("the upstream is the service").isEqualTo("charlstm");
        assertThat(upstream.group(3)).as("on the port it listens on").isEqualTo(port);
        assertThat(nginx).contains("proxy_pass http://" + upstream.group(1) + ";", "listen 8080;", "proxy_buffering off;");

        JsonNode train = compose.path("services").path("train");
        assertThat(train.path("image").asText()).isEqualTo(service.path("image").asText());
        assertThat(train.path("volumes").get(0).asText()).isEqualTo("models:" + modelsDir);
        assertThat(compose.path("volumes").has("models")).isTrue();
    }

    // --- the GPU build (no GPU needed) -----------------------------------------------------------

    @Test
    void cudaProfileCarriesTheCudaBackendWithCudnnAndNoCpuBackend() throws Exception {
        Set<String> cpu = runtimeJars("");
        Set<String> cuda = runtimeJars("-Pcuda");
        assertThat(cuda).contains("nd4j-cuda-11.6-1.0.0-M2.1.jar", "nd4j-cuda-11.6-1.0.0-M2.1-linux-x86_64-cudnn.jar",
                "cuda-11.6-8.3-1.5.7-linux-x86_64.jar");
        // OpenBLAS's Java bindings stay (the BLAS training engine compiles against them); its natives go.
        assertThat(cuda).contains("openblas-0.3.19-1.5.7.jar");
        assertThat(cuda).as("no CPU backend")
                .noneMatch(n -> n.startsWith("nd4j-native-1") || n.matches("openblas-.*-(linux|macosx|windows)-.*\\.jar"));
        // lib/ is exactly the resolved runtime jars (checked above for the CPU build), so a -Pcuda
        // package carries these; what changes between the two builds is the backend alone.
        Set<String> onlyCpu = new TreeSet<>(cpu);
        onlyCpu.removeAll(cuda);
        assertThat(onlyCpu).allMatch(n -> n.matches("(nd4j-native|nd4j-native-preset|openblas)-.*"));

        // The backend ND4J finds at start-up through ServiceLoader is in the plain (natives-free) jar.
        Path jars = work.resolve("cuda-jar");
        run(project, Map.of(), 300, "mvn", "-B", "-q", "dependency:copy",
                "-Dartifact=org.nd4j:nd4j-cuda-11.6:1.0.0-M2.1", "-DoutputDirectory=" + jars);
        assertThat(backendClassIn(jars.resolve("nd4j-cuda-11.6-1.0.0-M2.1.jar"))).isTrue();
    }

    private static boolean backendClassIn(Path jar) throws IOException {
        try (JarFile jf = new JarFile(jar.toFile())) {
            return jf.getEntry("org/nd4j/linalg/jcublas/JCublasBackend.class") != null
                    && new String(jf.getInputStream(jf.getEntry("META-INF/services/org.nd4j.linalg.factory.Nd4jBackend"))
                    .readAllBytes(), StandardCharsets.UTF_8).contains("org.nd4j.linalg.jcublas.JCublasBackend");
        }
    }

    // --- helpers ---------------------------------------------------------------------------------

    /** The runtime jar file names Maven resolves for the project copy, from its dependency tree. */
    static Set<String> runtimeJars(String profile) throws Exception {
        Path tree = work.resolve("tree" + profile + ".txt");
        List<String> command = new ArrayList<>(List.of("mvn", "-B", "-q", "dependency:tree", "-Dscope=runtime",
                "-DoutputFile=" + tree));
        if (!profile.isEmpty()) {
            command.add(profile);
        }
        run(project, Map.of(), 300, command.toArray(String[]::new));
        return jarNames(Files.readAllLines(tree));
    }

    /**
     * "group:artifact:jar[:classifier]:version:scope" lines to "artifact-version[-classifier].jar".
     * The project's own optional dependencies (Logback) are marked " (optional)" and are runtime jars too.
     */
    static Set<String> jarNames(List<String> treeLines) {
        Pattern coordinates = Pattern.compile(
                "([\\w.-]+):([\\w.-]+):jar:(?:([\\w.-]+):)?([\\w.-]+):(compile|runtime)(?: \\(optional\\))?$");
        Set<String> names = new TreeSet<>();
        for (String line : treeLines) {
            Matcher m = coordinates.matcher(line.replaceFirst("^[|+\\\\ -]*", "").trim());
            if (m.find()) {
                names.add(m.group(2) + "-" + m.group(4) + (m.group(3) == null ? "" : "-" + m.group(3)) + ".jar");
            }
        }
        return names;
    }

    private static Path symlinkToLauncher(String name) throws IOException {
        Path link = Files.createDirectories(work.resolve("links-" + name)).resolve("charlstm");
        return Files.createSymbolicLink(link, dist.resolve("bin/charlstm"));
    }

    private static String[] command(Path program, List<String> args) {
        List<String> all = new ArrayList<>(List.of(program.toString()));
        all.addAll(args);
        return all.toArray(String[]::new);
    }

    private static List<String> withEmptyLast(List<String> values) {
        List<String> out = new ArrayList<>(values);
        out.add("");
        return out;
    }

    static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Starts a process with stdout and stderr in files beside it; JAVA_HOME is this JVM's unless given. */
    static Process start(Path dir, Map<String, String> env, String... command) throws IOException {
        Path logs = Files.createTempDirectory(work, "proc");
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
                .redirectOutput(logs.resolve("stdout").toFile()).redirectError(logs.resolve("stderr").toFile());
        pb.environment().remove("CHARLSTM_JAVA_OPTS");
        pb.environment().remove("JAVA_OPTS");
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().putAll(env);
        Process p = pb.start();
        LOGS.put(p, logs);
        return p;
    }

    private static final Map<Process, Path> LOGS = new ConcurrentHashMap<>();

    static String read(Process p, String stream) throws IOException {
        return Files.readString(LOGS.get(p).resolve(stream), StandardCharsets.UTF_8);
    }

    /** Runs a command to completion and returns its stdout; fails with its output if it fails. */
    static String run(Path dir, Map<String, String> env, int seconds, String... command) throws Exception {
        Process p = start(dir, env, command);
        boolean finished = p.waitFor(seconds, TimeUnit.SECONDS);
        if (!finished) {
            p.destroyForcibly();
        }
        assertThat(finished && p.exitValue() == 0).as("%s in %s failed:%n%s%n%s", String.join(" ", command), dir,
                read(p, "stdout"), read(p, "stderr")).isTrue();
        return read(p, "stdout");
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static Set<String> fileNames(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return new TreeSet<>(files.map(f -> f.getFileName().toString()).toList());
        }
    }

    static void copy(Path from, Path to) throws IOException {
        if (Files.isRegularFile(from)) {
            Files.createDirectories(to.getParent());
            Files.copy(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.COPY_ATTRIBUTES);
            return;
        }
        List<Path> files;
        try (Stream<Path> walk = Files.walk(from)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        for (Path f : files) {
            copy(f, to.resolve(from.relativize(f).toString()));
        }
    }
}
