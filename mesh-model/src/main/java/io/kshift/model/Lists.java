package io.kshift.model;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Null-tolerant immutable copies for record compact constructors: absent YAML lists and maps read as empty. */
public final class Lists {
    private Lists() {
    }

    public static <T> List<T> copy(List<T> list) {
        return list == null ? List.of() : Collections.unmodifiableList(new java.util.ArrayList<>(list));
    }

    public static <V> Map<String, V> copy(Map<String, V> map) {
        return map == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(map));
    }
}
