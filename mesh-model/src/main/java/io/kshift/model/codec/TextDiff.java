package io.kshift.model.codec;

import java.util.ArrayList;
import java.util.List;

/**
 * A line diff as {@code diff -u} and {@code kubectl diff} users read it: removed lines start with {@code -}, added
 * lines with {@code +}, and only {@value #CONTEXT} unchanged lines are kept around each change. Longest common
 * subsequence over lines; resources are small (at most 256 KiB each), so the quadratic table is bounded here.
 */
public final class TextDiff {
    static final int CONTEXT = 3;
    private static final int MAX_LINES = 4000;

    private TextDiff() {
    }

    public static String unified(String before, String after) {
        String[] a = before.isEmpty() ? new String[0] : before.split("\n", -1);
        String[] b = after.isEmpty() ? new String[0] : after.split("\n", -1);
        if ((long) a.length * b.length > (long) MAX_LINES * MAX_LINES) {
            return "(" + a.length + " lines before, " + b.length + " after: too large to diff)";
        }
        List<String> lines = lines(a, b);
        return String.join("\n", trim(lines));
    }

    private static List<String> lines(String[] a, String[] b) {
        int[][] common = new int[a.length + 1][b.length + 1];
        for (int i = a.length - 1; i >= 0; i--) {
            for (int j = b.length - 1; j >= 0; j--) {
                common[i][j] = a[i].equals(b[j]) ? common[i + 1][j + 1] + 1
                        : Math.max(common[i + 1][j], common[i][j + 1]);
            }
        }
        List<String> out = new ArrayList<>();
        int i = 0;
        int j = 0;
        while (i < a.length || j < b.length) {
            if (i < a.length && j < b.length && a[i].equals(b[j])) {
                out.add(" " + a[i++]);
                j++;
            } else if (i < a.length && (j == b.length || common[i + 1][j] >= common[i][j + 1])) {
                out.add("-" + a[i++]);
            } else {
                out.add("+" + b[j++]);
            }
        }
        return out;
    }

    /** Unchanged runs away from any change become one {@code ...} line. */
    private static List<String> trim(List<String> lines) {
        List<String> out = new ArrayList<>();
        int n = lines.size();
        boolean[] keep = new boolean[n];
        for (int k = 0; k < n; k++) {
            if (lines.get(k).charAt(0) != ' ') {
                for (int c = Math.max(0, k - CONTEXT); c <= Math.min(n - 1, k + CONTEXT); c++) {
                    keep[c] = true;
                }
            }
        }
        for (int k = 0; k < n; k++) {
            if (keep[k]) {
                out.add(lines.get(k));
            } else if (out.isEmpty() || !out.get(out.size() - 1).equals(" ...")) {
                out.add(" ...");
            }
        }
        return out;
    }
}
