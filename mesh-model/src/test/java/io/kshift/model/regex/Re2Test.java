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

    /**
     * Found by RequestPathFuzzTest: RE2/J never finishes compiling U+1C80 case-insensitively (its fold tables and the
     * JDK's disagree, and the fold orbit never closes; its own Unicode classes predate the character, so only literals,
     * escapes and ranges reach it). Such patterns are refused, naming the character, before the
     * engine sees them; everything else case-insensitive still compiles. The timeout is the test's own guard: a
     * regression would hang here, not pass.
     */
    @Test
    @Timeout(30)
    void caseInsensitivePatternsThatWouldNeverCompileAreRefused() {
        for (String hostile : java.util.List.of("(?i)\\x{1c80}", "(?i)\u1c80", "(?i:a[\\x{100}-\\x{4000}])",
                "(?i)[\u1c81]", "(?i)[^\\x{1c00}-\\x{1cff}]", "(?i)[--5-----\uffff]", "(?i)[a\\--\\x{ffff}]",
                "(?i)[@-\\\uafed]",
                "(?i)[[:alpha:]\\x{1c00}-\\x{1cff}]", "(?i)\\Q[\\E[]\\x{1c00}-\\x{1cff}]", "(?i)\\x{000001c80}",
                "(?i)\\Q\\x{\\E\\x{1c80}", "(?i)\\Qa\u1c80\\E")) {
            assertThat(Re2.problem(hostile)).as(hostile).hasValueSatisfying(p -> assertThat(p).contains("U+1C8"));
        }
        assertThat(Re2.problem("[\\x{100}-\\x{4000}]", true)).as("the flag folds too").isPresent();
        assertThat(Re2.problem("[\\x{100}-\\x{4000}]")).as("case-sensitive: no folding, no problem").isEmpty();
        assertThat(Re2.problem("\\p{Cyrillic}+")).isEmpty();
        for (String fine : java.util.List.of("(?i)chrome|firefox", "(?i)[a-z]+\\.example\\.com", "(?i)\\p{Greek}",
                "(?i)[\\x{100}-\\x{1000}]", "(?i)[^a]", "(?i)\\x41",
                "(?i)\\p{Cyrillic}", "(?i)[--5----\uffff]", "(?i)\\p{Any}", "(?i)[\\x00-\\x{10FFFF}]")) {
            assertThat(Re2.problem(fine)).as(fine).isEmpty();
            assertThat(Re2.compile(fine, true).matcher("A").find() || true).isTrue();
        }
    }

    /** Behind the guard, a folding compile that takes too long is stopped and the pattern refused, whatever it is. */
    @Test
    @Timeout(30)
    void aFoldingCompileThatNeverEndsIsStoppedAndRefused() {
        // The guard would refuse this before compiling; the backstop is asked directly.
        assertThat(FoldGuard.compilesWithin("\\x{1c80}", com.google.re2j.Pattern.CASE_INSENSITIVE))
                .hasValueSatisfying(p -> assertThat(p).startsWith("does not compile case-insensitively within"));
        assertThat(FoldGuard.compilesWithin("(?i)abc", 0)).isEmpty();
    }
}
