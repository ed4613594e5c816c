package io.kshift.proxy.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Paths as Envoy normalises them before routing. */
class PathNormalizerTest {
    @Test
    void dotSegmentsSlashesAndUnreservedEscapesAreNormalised() {
        assertThat(PathNormalizer.normalize("/a/b")).isEqualTo("/a/b");
        assertThat(PathNormalizer.normalize("/admin#x")).as("a fragment is stripped").isEqualTo("/admin");
        assertThat(PathNormalizer.normalize("/a/../admin?q=1#x?y")).isEqualTo("/admin?q=1");
        assertThat(PathNormalizer.normalize("#/admin")).as("no path: 400").isNull();
        assertThat(PathNormalizer.normalize("/a//b///c")).isEqualTo("/a/b/c");
        assertThat(PathNormalizer.normalize("/public/../admin")).isEqualTo("/admin");
        assertThat(PathNormalizer.normalize("/a/./b/.")).isEqualTo("/a/b/");
        assertThat(PathNormalizer.normalize("/a/b/..")).isEqualTo("/a/");
        assertThat(PathNormalizer.normalize("/../../x")).as("never above the root").isEqualTo("/x");
        assertThat(PathNormalizer.normalize("/%61dmin")).isEqualTo("/admin");
        assertThat(PathNormalizer.normalize("/a%2fb")).as("reserved escapes stay, upper-cased").isEqualTo("/a%2Fb");
        assertThat(PathNormalizer.normalize("/a/%2E%2E/b")).as("escaped dots are dots").isEqualTo("/b");
        assertThat(PathNormalizer.normalize("//a/../b?x=/../y")).as("the query is left alone")
                .isEqualTo("/b?x=/../y");
        assertThat(PathNormalizer.normalize("/.hidden/file")).isEqualTo("/.hidden/file");
        assertThat(PathNormalizer.normalize("*")).isEqualTo("*");
        assertThat(PathNormalizer.normalize("/a//../b")).as("dot segments first, as Envoy: the empty segment goes")
                .isEqualTo("/a/b");
        assertThat(PathNormalizer.normalize("/public\\..\\admin")).as("backslashes are slashes").isEqualTo("/admin");
        assertThat(PathNormalizer.normalize("http://h:8080/public/../admin?x=1")).as("absolute form, origin form out")
                .isEqualTo("/admin?x=1");
        assertThat(PathNormalizer.normalize("http://h")).isEqualTo("/");
        assertThat(PathNormalizer.normalize("http://h?q")).isEqualTo("/?q");
        assertThat(PathNormalizer.normalize("/a?b=%zz")).as("the query is not checked").isEqualTo("/a?b=%zz");
    }

    @Test
    void aBrokenEscapeIsNoPath() {
        assertThat(PathNormalizer.normalize("/a%zz")).isNull();
        assertThat(PathNormalizer.normalize("/a%2")).isNull();
    }
}
