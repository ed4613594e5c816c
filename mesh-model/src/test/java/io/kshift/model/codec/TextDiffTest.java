package io.kshift.model.codec;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TextDiffTest {
    @Test
    void marksRemovedAndAddedLinesWithContext() {
        String before = "a\nb\nc\nd\ne\nf\ng\nh\ni\nweight: 100\nj\n";
        String after = "a\nb\nc\nd\ne\nf\ng\nh\ni\nweight: 80\nj\nweight: 20\n";
        assertThat(TextDiff.unified(before, after).split("\n")).containsExactly(
                " ...", " g", " h", " i", "-weight: 100", "+weight: 80", " j", "+weight: 20", " ");
    }

    @Test
    void aCreatedResourceIsAllAdditionsAndADeletedOneAllRemovals() {
        assertThat(TextDiff.unified("", "x: 1\ny: 2")).isEqualTo("+x: 1\n+y: 2");
        assertThat(TextDiff.unified("x: 1\ny: 2", "")).isEqualTo("-x: 1\n-y: 2");
    }

    @Test
    void equalTextHasNoChangedLine() {
        assertThat(TextDiff.unified("a\nb", "a\nb")).doesNotContain("+", "-");
    }
}
