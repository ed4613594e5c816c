package io.kshift.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProxyAotCacheTest {
    @TempDir
    Path repo;

    private final ProxyJvm jdk25 = new ProxyJvm(Path.of("/opt/jdk25/bin/java"), "25.0.3");

    private FleetLayout layout() throws IOException {
        return FleetLayout.ephemeral(repo, Files.createDirectories(repo.resolve("work")), 1);
    }

    private Path build(FleetLayout layout) throws IOException {
        Path app = layout.app("proxy-service");
        Files.createDirectories(app.getParent());
        return Files.writeString(app, "jar");
    }

    @Test
    void withoutAProxyBuildTheFleetStillListsItsMembers() throws IOException {
        // down and status must work while proxy-service is being rebuilt (no quarkus-app to key a cache by)
        Fleet fleet = new Fleet(layout(), jdk25);
        List<Fleet.Member> proxies = fleet.services().stream().filter(m -> m.name().startsWith("proxy-")).toList();
        assertThat(proxies).isNotEmpty().allSatisfy(m -> assertThat(m.command()).noneMatch(a -> a.contains("AOT")));
        assertThat(new ProxyAotCache(layout(), jdk25).path(List.of("-Xmx192m"))).isEmpty();
    }

    @Test
    void aBuildMadeAfterTheFirstLookIsKeyed() throws IOException {
        // KshiftCli asks which members run before up checks the build: the key is worked out once, but not "none"
        FleetLayout layout = layout();
        ProxyAotCache aot = new ProxyAotCache(layout, jdk25);
        assertThat(aot.path(List.of("-Xmx192m"))).isEmpty();
        build(layout);
        assertThat(aot.path(List.of("-Xmx192m"))).isPresent();
        assertThat(aot.path(List.of("-Xmx192m", "-Dkshift.node=proxy-2"))).as("system properties are not in the key")
                .isEqualTo(aot.path(List.of("-Xmx192m")));
    }

    @Test
    void aJdkWithoutProfilesInItsCacheHasNoCache() throws IOException {
        FleetLayout layout = layout();
        build(layout);
        ProxyJvm jdk17 = new ProxyJvm(Path.of("/opt/jdk17/bin/java"), "17.0.15");
        assertThat(new ProxyAotCache(layout, jdk17).path(List.of("-Xmx192m"))).isEmpty();
        assertThat(new ProxyAotCache(layout, jdk25).path(List.of("-Xmx192m"))).get()
                .satisfies(p -> assertThat(p.getParent()).isEqualTo(repo.resolve(".kshift").resolve("aot")));
    }

    @Test
    void aTrainedCacheIsPutOnTheProxiesCommands() throws IOException {
        FleetLayout layout = layout();
        build(layout);
        Fleet fleet = new Fleet(layout, jdk25);
        Fleet.Member proxy = fleet.services().stream().filter(m -> m.name().startsWith("proxy-")).findFirst()
                .orElseThrow();
        assertThat(proxy.command()).first().isEqualTo("/opt/jdk25/bin/java");
        assertThat(proxy.command()).noneMatch(a -> a.startsWith("-XX:AOTCache="));

        Path cache = new ProxyAotCache(layout, jdk25).path(proxy.command()).orElseThrow();
        Files.createDirectories(cache.getParent());
        Files.writeString(cache, "trained");
        assertThat(fleet.services().stream().filter(m -> m.name().equals(proxy.name())).findFirst().orElseThrow()
                .command()).contains("-XX:AOTCache=" + cache);
    }

    @Test
    void aBuildWhoseTrainingFailedIsNotTrainedAgain() throws IOException {
        FleetLayout layout = layout();
        build(layout);
        ProxyAotCache aot = new ProxyAotCache(layout, jdk25);
        Fleet fleet = new Fleet(layout, jdk25);
        Fleet.Member proxy = fleet.services().stream().filter(m -> m.name().startsWith("proxy-")).findFirst()
                .orElseThrow();
        Path cache = aot.path(proxy.command()).orElseThrow();
        Files.createDirectories(cache.getParent());
        Files.writeString(cache.resolveSibling(cache.getFileName().toString().replace(".aot", ".failed")), "x");

        ByteArrayOutputStream said = new ByteArrayOutputStream();
        aot.train(new PrintStream(said, true, StandardCharsets.UTF_8), proxy, proxy.command(), fleet);
        assertThat(said.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(Files.exists(layout.pids().resolve(proxy.name() + ".pid"))).as("no training proxy started")
                .isFalse();
    }
}
