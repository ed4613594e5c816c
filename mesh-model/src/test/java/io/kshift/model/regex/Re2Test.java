package io.kshift.model.regex;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class Re2Test {
    @Test
    @Timeout(10)
    void aCatastrophicPatternMatchesAHostileValueInLinearTime() {
        // Backtracking engines take exponential time here (java.util.regex never finishes); RE2 does not.
        var p = Re2.compile("(.*a){12}", false);
        String hostile = "a".repeat(40) + "b";
        for (int i = 0; i < 1000; i++) {
            assertThat(p.matcher(hostile).matches()).isFalse();
        }
        assertThat(p.matcher("a".repeat(12)).matches()).isTrue();
    }

    @Test
    void refusesWhatRe2CannotExpressAndOverlongPatterns() {
        assertThat(Re2.problem("(a)\\1")).get().asString().contains("not a valid RE2 regular expression");
        assertThat(Re2.problem("foo(?=bar)")).get().asString().contains("not a valid RE2 regular expression");
        assertThat(Re2.problem("a".repeat(Re2.MAX_LENGTH + 1))).get().asString().contains("at most 1024");
        assertThat(Re2.problem("/v[0-9]+/.*")).isEmpty();
        assertThat(Re2.problem("a".repeat(Re2.MAX_LENGTH))).isEmpty();
    }

    @Test
    void rewritesWithEnvoyGroupSyntaxAndLiteralDollars() {
        var p = Re2.compile("^/service/([^/]+)(/.*)$", false);
        assertThat(Re2.replaceAll(p, "/service/foo/v1/api", "\\2/instance/\\1")).isEqualTo("/v1/api/instance/foo");
        assertThat(Re2.replaceAll(Re2.compile("^.*$", false), "/anything", "/$1/cost")).isEqualTo("/$1/cost");
        assertThat(Re2.replaceAll(Re2.compile("o", false), "/foo/bo", "0")).isEqualTo("/f00/b0");
        assertThat(Re2.replaceAll(Re2.compile("x*", false), "ab", "-")).isEqualTo("-a-b-");
        assertThat(Re2.replaceAll(Re2.compile("x*", false), "xab", "-")).as("RE2's GlobalReplace").isEqualTo("-a-b-");
        assertThat(Re2.replaceAll(Re2.compile("/", false), "/a/b", "\\\\")).isEqualTo("\\a\\b");
        assertThat(Re2.replaceAll(Re2.compile("zz", false), "/same", "y")).isEqualTo("/same");
    }

    @Test
    void quotedLiteralsMatchThemselvesOnly() {
        String literal = "/a.b+(c)";
        var p = Re2.compile(Re2.quote(literal) + "(/.*)?", false);
        assertThat(p.matcher("/a.b+(c)/x").matches()).isTrue();
        assertThat(p.matcher("/aXb+(c)").matches()).isFalse();
    }
}
