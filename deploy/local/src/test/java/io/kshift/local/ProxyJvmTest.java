package io.kshift.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProxyJvmTest {
    @TempDir
    Path dir;

    private final ProxyJvm current = new ProxyJvm(Path.of("/opt/jdk17/bin/java"), "17.0.15+6");

    private Path jdk(String name, String version) throws IOException {
        Path home = dir.resolve(name);
        Files.createDirectories(home.resolve("bin"));
        Path java = Files.writeString(home.resolve("bin").resolve("java"), "#!/bin/sh\n");
        java.toFile().setExecutable(true);
        Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"Eclipse Adoptium\"\nJAVA_VERSION=\"" + version
                + "\"\nOS_NAME=\"Linux\"\n");
        return home;
    }

    @Test
    void theNewestJdkWithProfilesInItsCacheRunsTheProxies() throws IOException {
        Path j17 = jdk("java-17", "17.0.15");
        Path j25 = jdk("temurin-25", "25.0.3");
        Path j26 = jdk("temurin-26", "26");
        ProxyJvm chosen = ProxyJvm.choose(null, List.of(j17, j25, j26), current);
        assertThat(chosen.java()).isEqualTo(j26.resolve("bin/java"));
        assertThat(chosen.aot()).isTrue();
        assertThat(ProxyJvm.choose("", List.of(j17, j25), current).version()).isEqualTo("25.0.3");
    }

    @Test
    void withoutOneTheProxiesRunOnTheLaunchersJvmWithoutACache() throws IOException {
        Path j21 = jdk("java-21", "21.0.7");
        Path noRelease = Files.createDirectories(dir.resolve("broken"));
        ProxyJvm chosen = ProxyJvm.choose(null, List.of(jdk("java-17", "17.0.15"), j21, noRelease), current);
        assertThat(chosen).isSameAs(current);
        assertThat(chosen.aot()).isFalse();
    }

    @Test
    void theOperatorChoosesByBinaryOrHome() throws IOException {
        Path j21 = jdk("java-21", "21.0.7");
        Path j25 = jdk("temurin-25", "25.0.3");
        assertThat(ProxyJvm.choose(j21.resolve("bin/java").toString(), List.of(j25), current))
                .isEqualTo(new ProxyJvm(j21.resolve("bin/java"), "21.0.7"));
        assertThat(ProxyJvm.choose(j25.toString(), List.of(), current).aot()).isTrue();
        assertThatThrownBy(() -> ProxyJvm.choose(dir.resolve("nowhere").toString(), List.of(), current))
                .hasMessageContaining("KSHIFT_PROXY_JAVA");
    }

    @Test
    void aNewBuildOrOtherJvmOptionsTrainANewCacheButNodePropertiesDoNot() throws IOException {
        Path app = dir.resolve("quarkus-app").resolve("quarkus-run.jar");
        Files.createDirectories(app.getParent().resolve("lib"));
        Files.writeString(app, "jar");
        Path lib = Files.writeString(app.getParent().resolve("lib").resolve("model.jar"), "v1");
        ProxyJvm jvm = new ProxyJvm(jdk("temurin-25", "25.0.3").resolve("bin/java"), "25.0.3");
        List<String> node1 = List.of("-XX:+UseG1GC", "-Xmx192m", "-Dkshift.proxy.node-id=proxy-1", "-jar", "x");
        String key = jvm.key(node1, app);

        assertThat(jvm.key(List.of("-XX:+UseG1GC", "-Xmx192m", "-Dkshift.proxy.node-id=proxy-2", "-jar", "x"), app))
                .as("another node's properties").isEqualTo(key);
        assertThat(jvm.key(List.of("-XX:AOTCache=/c.aot", "-XX:+UseG1GC", "-Xmx192m", "-jar", "x"), app))
                .as("the cache's own option").isEqualTo(key);
        assertThat(jvm.key(List.of("-XX:+UseG1GC", "-Xmx256m"), app)).as("another heap").isNotEqualTo(key);
        assertThat(new ProxyJvm(jvm.java(), "25.0.4").key(node1, app)).as("another JDK update").isNotEqualTo(key);

        Files.writeString(lib, "v2");
        Files.setLastModifiedTime(lib, FileTime.fromMillis(Files.getLastModifiedTime(lib).toMillis() + 2_000));
        assertThat(jvm.key(node1, app)).as("a rebuilt library").isNotEqualTo(key);
    }

    @Test
    void aLinkToAJavaBinaryIsFollowedToItsJdk() throws IOException {
        Path j25 = jdk("temurin-25", "25.0.3");
        Path link = Files.createSymbolicLink(dir.resolve("java"), j25.resolve("bin/java"));
        ProxyJvm chosen = ProxyJvm.choose(link.toString(), List.of(), current);
        assertThat(chosen.version()).isEqualTo("25.0.3");
        assertThat(chosen.aot()).isTrue();
    }

    @Test
    void aJdkLinkedUnderAnotherNameIsOneJdkWithOneName() throws IOException {
        Path real = jdk("java-25-openjdk-amd64", "25.0.3");
        Path link = Files.createSymbolicLink(dir.resolve("java-1.25.0-openjdk-amd64"), real);
        ProxyJvm viaLinkFirst = ProxyJvm.choose(null, List.of(link, real), current);
        assertThat(viaLinkFirst.java()).isEqualTo(real.toRealPath().resolve("bin/java"));
        assertThat(ProxyJvm.choose(null, List.of(real), current)).as("the same key with or without the link")
                .isEqualTo(viaLinkFirst);
    }

    @Test
    void theNewestUpdateOfAReleaseWins() throws IOException {
        Path older = jdk("a-jdk-25", "25.0.3");
        Path newer = jdk("b-jdk-25", "25.0.10");
        assertThat(ProxyJvm.choose(null, List.of(newer, older), current).version()).isEqualTo("25.0.10");
    }
}
