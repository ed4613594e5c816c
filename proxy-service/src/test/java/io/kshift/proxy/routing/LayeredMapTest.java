package io.kshift.proxy.routing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** A layered map reads exactly as a plain map given the same writes, layer on layer, and never writes its base. */
class LayeredMapTest {
    @Test
    void readsAsAPlainMapThroughManyLayersAndNeverWritesItsBase() {
        Random random = new Random(5);
        Map<Integer, String> model = new HashMap<>();
        for (int i = 0; i < 1000; i++) {
            model.put(i, "v" + i);
        }
        Map<Integer, String> map = Map.copyOf(model); // immutable: a write to the base would throw
        for (int layer = 0; layer < 60; layer++) {
            LayeredMap<Integer, String> next = LayeredMap.over(map);
            for (int op = 0; op < 1 + random.nextInt(40); op++) {
                int key = random.nextInt(1100);
                if (random.nextInt(3) == 0) {
                    assertThat(next.remove(key)).isEqualTo(model.remove(key));
                } else {
                    String value = "l" + layer + "o" + op;
                    assertThat(next.put(key, value)).isEqualTo(model.put(key, value));
                }
            }
            map = LayeredMap.readOnly(next);
            assertThat(map).as("layer " + layer).isEqualTo(model).hasSize(model.size());
            assertThat(new HashMap<>(map)).isEqualTo(model);
            for (int key = 0; key < 1100; key++) {
                assertThat(map.get(key)).isEqualTo(model.get(key));
                assertThat(map.containsKey(key)).isEqualTo(model.containsKey(key));
            }
        }
    }

    @Test
    void aSealedMapRefusesWritesAndManyChangesMakeAPlainMapAgain() {
        LayeredMap<Integer, Integer> small = LayeredMap.over(Map.of(1, 1));
        small.put(2, 2);
        Map<Integer, Integer> sealed = LayeredMap.readOnly(small);
        assertThat(sealed).isSameAs(small).containsExactlyInAnyOrderEntriesOf(Map.of(1, 1, 2, 2));
        assertThatThrownBy(() -> sealed.put(3, 3)).isInstanceOf(UnsupportedOperationException.class);

        LayeredMap<Integer, Integer> big = LayeredMap.over(Map.of(1, 1));
        for (int i = 0; i <= LayeredMap.MAX_CHANGES; i++) {
            big.put(100 + i, i);
        }
        LayeredMap<Integer, Integer> same = LayeredMap.over(Map.of(1, 1));
        Integer one = same.get(1);
        same.put(1, 5);
        same.put(1, one);
        assertThat(LayeredMap.readOnly(same)).as("putting the base's own entry back").isEqualTo(Map.of(1, 1));

        Map<Integer, Integer> flat = LayeredMap.readOnly(big);
        assertThat(flat).isNotInstanceOf(LayeredMap.class).isEqualTo(new HashMap<>(big));
    }
}
