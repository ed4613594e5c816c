package io.kshift.model.mesh;

import static org.assertj.core.api.Assertions.assertThat;

import io.kshift.model.event.ResourceAction.Action;
import io.kshift.model.istio.WorkloadEntrySpec;
import io.kshift.model.resource.Kind;
import io.kshift.model.resource.Resource;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MeshConfigTest {
    static Resource workload(String name, String address) {
        return Resource.of(Kind.WORKLOAD_ENTRY, "default", name,
                new WorkloadEntrySpec(address, Map.of(), Map.of(), null, null, null, null));
    }

    static Resource namespace(String name, List<String> finalizers) {
        return Resource.of(Kind.NAMESPACE, "", name, new io.kshift.model.k8s.NamespaceSpec(finalizers));
    }

    @Test
    void applyReportsCreatedConfiguredUnchangedAndLeavesTheOriginal() {
        var first = MeshConfig.empty().apply(List.of(workload("a", "10.0.0.1"))).config();
        var second = first.apply(List.of(workload("a", "10.0.0.1"), workload("b", "10.0.0.2")));
        assertThat(second.actions()).extracting(a -> a.action()).containsExactly(Action.UNCHANGED, Action.CREATED);
        var third = second.config().apply(List.of(workload("a", "10.0.0.9")));
        assertThat(third.actions()).extracting(a -> a.action()).containsExactly(Action.CONFIGURED);
        assertThat(first.size()).isEqualTo(1);
        var deleted = third.config().delete(List.of(workload("b", "x"), workload("zz", "x")));
        assertThat(deleted.actions()).extracting(a -> a.action()).containsExactly(Action.DELETED, Action.NOT_FOUND);
        assertThat(deleted.config().size()).isEqualTo(1);
    }

    @Test
    void replaceMakesTheConfigExactlyTheGivenResources() {
        var live = MeshConfig.empty().apply(List.of(workload("a", "1"), workload("b", "2"))).config();
        var replaced = live.replaceWith(List.of(workload("a", "9"), workload("c", "3")));
        assertThat(replaced.config().all()).extracting(r -> r.name()).containsExactly("a", "c");
        assertThat(replaced.actions()).extracting(a -> a.name() + " " + a.action())
                .containsExactly("a CONFIGURED", "b DELETED", "c CREATED");
        assertThat(live.replaceWith(live.all()).actions()).isEmpty();
    }

    @Test
    void parsesIstioDurations() {
        assertThat(IstioDuration.parse("10s")).contains(Duration.ofSeconds(10));
        assertThat(IstioDuration.parse("1.5s")).contains(Duration.ofMillis(1500));
        assertThat(IstioDuration.parse("1m30s")).contains(Duration.ofSeconds(90));
        assertThat(IstioDuration.parse("250ms")).contains(Duration.ofMillis(250));
        assertThat(IstioDuration.parse("ten")).isEmpty();
        assertThat(IstioDuration.parse("5")).isEmpty();
    }

    @Test
    void aResourceIsCreatedOnceAndKeepsItsCreationTimeThroughChangesAndRollbacks() {
        java.time.Instant t1 = java.time.Instant.parse("2026-01-01T00:00:00.123456Z");
        java.time.Instant t2 = java.time.Instant.parse("2026-01-01T00:01:00Z");
        var first = MeshConfig.empty().apply(List.of(workload("a", "1")), t1).config();
        Resource a = first.get(workload("a", "1").key()).orElseThrow();
        assertThat(a.metadata().creationTimestamp()).as("to the millisecond")
                .isEqualTo(java.time.Instant.parse("2026-01-01T00:00:00.123Z"));

        var same = first.apply(List.of(workload("a", "1")), t2);
        assertThat(same.actions()).extracting(x -> x.action()).as("a re-apply without the server's time is no change")
                .containsExactly(Action.UNCHANGED);
        Resource claimed = new Resource(a.apiVersion(), a.kind(), a.metadata().createdAt(t2), a.spec());
        assertThat(first.apply(List.of(claimed), t2).actions()).extracting(x -> x.action())
                .as("a submitted creation time is the server's to set").containsExactly(Action.UNCHANGED);

        var changed = first.apply(List.of(workload("a", "9"), workload("b", "2")), t2).config();
        assertThat(changed.get(a.key()).orElseThrow().metadata().creationTimestamp())
                .isEqualTo(a.metadata().creationTimestamp());
        assertThat(changed.get(workload("b", "2").key()).orElseThrow().metadata().creationTimestamp())
                .isEqualTo(t2);

        // Rolling back to a generation without b and with a's older spec: a keeps its time; b, deleted, goes.
        var rolledBack = changed.replaceWith(first.all(), t2.plusSeconds(60)).config();
        assertThat(rolledBack.get(a.key()).orElseThrow().metadata().creationTimestamp())
                .isEqualTo(a.metadata().creationTimestamp());
        // Rolling forward again brings b back with the time it was created then.
        var forward = rolledBack.replaceWith(changed.all(), t2.plusSeconds(120)).config();
        assertThat(forward.get(workload("b", "2").key()).orElseThrow().metadata().creationTimestamp())
                .isEqualTo(t2);
        assertThat(workload("x", "1").sameAs(new Resource(a.apiVersion(), a.kind(),
                workload("x", "1").metadata().createdAt(t1), workload("x", "1").spec()))).isTrue();
    }

    @Test
    void oldestFirstThenNamespaceAndName() {
        java.time.Instant t = java.time.Instant.parse("2026-01-01T00:00:00Z");
        var config = MeshConfig.empty().apply(List.of(workload("z", "1")), t).config()
                .apply(List.of(workload("b", "1"), workload("a", "1")), t.plusSeconds(1)).config()
                .apply(List.of(workload("c", "1"))).config();
        List<Resource> ordered = new java.util.ArrayList<>(config.all());
        ordered.sort(Resource.OLDEST_FIRST);
        assertThat(ordered).extracting(Resource::name).as("one without a creation time counts as oldest")
                .containsExactly("c", "z", "a", "b");
    }

    /** Ties in creation time go by {@code namespace/name} compared as joined strings (one namespace may prefix another). */
    @Test
    void tiesGoByNamespaceSlashNameAsStrings() {
        java.time.Instant t = java.time.Instant.parse("2026-01-01T00:00:00Z");
        java.util.Random random = new java.util.Random(7);
        String[] parts = {"a", "a-b", "a.b", "ab", "a0", "b", "", "z", "shop", "shop-v2"};
        List<Resource> resources = new java.util.ArrayList<>();
        for (int i = 0; i < 400; i++) {
            String ns = parts[random.nextInt(parts.length)] + parts[random.nextInt(parts.length)];
            String name = parts[random.nextInt(parts.length)] + parts[random.nextInt(parts.length)] + "x";
            Resource r = Resource.of(Kind.WORKLOAD_ENTRY, ns.isEmpty() ? "n" : ns, name,
                    new WorkloadEntrySpec("10.0.0.1", Map.of(), Map.of(), null, null, null, null));
            resources.add(new Resource(r.apiVersion(), r.kind(), r.metadata().createdAt(t), r.spec()));
        }
        List<Resource> ordered = new java.util.ArrayList<>(resources);
        ordered.sort(Resource.OLDEST_FIRST);
        List<Resource> byJoined = new java.util.ArrayList<>(resources);
        byJoined.sort(java.util.Comparator.comparing(r -> r.namespace() + "/" + r.name()));
        assertThat(ordered).extracting(r -> r.namespace() + "/" + r.name())
                .containsExactlyElementsOf(byJoined.stream().map(r -> r.namespace() + "/" + r.name()).toList());
    }

    @Test
    void oldestFirstIsSortedOncePerConfig() {
        java.time.Instant t = java.time.Instant.parse("2026-01-01T00:00:00Z");
        var config = MeshConfig.empty().apply(List.of(workload("b", "1"), workload("a", "1")), t).config();
        List<Resource> first = config.oldestFirst(Kind.WORKLOAD_ENTRY);
        assertThat(first).extracting(Resource::name).containsExactly("a", "b");
        assertThat(config.oldestFirst(Kind.WORKLOAD_ENTRY)).isSameAs(first);
        assertThat(config.oldestFirst(Kind.SERVICE_ENTRY)).isEmpty();
    }

    @Test
    void aChangeCopiesOnlyTheKindsItTouchesAndKeepsTheOthersLists() {
        java.time.Instant t = java.time.Instant.parse("2026-01-01T00:00:00Z");
        var config = MeshConfig.empty().apply(List.of(workload("a", "1"), workload("b", "1"),
                namespace("shop", List.of())), t).config();
        List<Resource> workloads = config.ofKind(Kind.WORKLOAD_ENTRY);
        List<Resource> oldest = config.oldestFirst(Kind.WORKLOAD_ENTRY);
        List<Resource> namespaces = config.ofKind(Kind.NAMESPACE);

        var changed = config.apply(List.of(namespace("shop", List.of("a"))), t);
        assertThat(changed.config().ofKind(Kind.WORKLOAD_ENTRY)).as("an untouched kind's list is shared")
                .isSameAs(workloads);
        assertThat(changed.config().oldestFirst(Kind.WORKLOAD_ENTRY)).isSameAs(oldest);
        assertThat(changed.config().ofKind(Kind.NAMESPACE)).isNotSameAs(namespaces).hasSize(1);
        assertThat(config.ofKind(Kind.NAMESPACE)).as("the original is untouched").isSameAs(namespaces);
        assertThat(config.changedKeys(changed.config())).isEqualTo(changed.changedKeys());

        var same = config.apply(List.of(workload("a", "1")), t);
        assertThat(same.config()).as("a change that changes nothing is the same config").isSameAs(config);
        assertThat(config.delete(List.of(workload("zz", "1"))).config()).isSameAs(config);
    }

    /** Random applies and deletes over several kinds against a plain sorted map: same contents, order and keys. */
    @Test
    void behavesAsOneSortedMapOverEveryKind() {
        java.util.Random random = new java.util.Random(11);
        java.util.TreeMap<io.kshift.model.resource.ResourceKey, Resource> model = new java.util.TreeMap<>();
        MeshConfig config = MeshConfig.empty();
        for (int step = 0; step < 300; step++) {
            List<Resource> batch = new java.util.ArrayList<>();
            for (int i = random.nextInt(4); i >= 0; i--) {
                String name = "r" + random.nextInt(12);
                String value = "" + random.nextInt(3);
                batch.add(switch (random.nextInt(3)) {
                    case 0 -> workload(name, "10.0.0." + value);
                    case 1 -> namespace(name, List.of(value));
                    default -> Resource.of(Kind.SECRET, "ns", name,
                            new io.kshift.model.secret.SecretSpec("Opaque", Map.of("k", value), null));
                });
            }
            MeshConfig before = config;
            java.util.TreeMap<io.kshift.model.resource.ResourceKey, Resource> modelBefore = new java.util.TreeMap<>(model);
            MeshConfig.Changed changed;
            if (random.nextInt(3) == 0) {
                changed = config.delete(batch);
                batch.forEach(r -> model.remove(r.key()));
            } else {
                changed = config.apply(batch);
                batch.forEach(r -> model.put(r.key(), r)); // no creation times here: stored as given
            }
            config = changed.config();
            assertThat(config.all()).containsExactlyElementsOf(model.values());
            assertThat(config.size()).isEqualTo(model.size());
            for (Kind kind : List.of(Kind.WORKLOAD_ENTRY, Kind.NAMESPACE, Kind.SECRET)) {
                assertThat(config.ofKind(kind)).containsExactlyElementsOf(
                        model.values().stream().filter(r -> r.key().kind() == kind).toList());
            }
            java.util.Set<io.kshift.model.resource.ResourceKey> differing = new java.util.TreeSet<>(model.keySet());
            differing.addAll(modelBefore.keySet());
            differing.removeIf(k -> java.util.Objects.equals(model.get(k), modelBefore.get(k)));
            assertThat(before.changedKeys(config)).containsExactlyElementsOf(differing);
            // A key changed and changed back within one change is listed too: readers recompute a little more.
            assertThat(changed.changedKeys()).containsAll(differing);
            assertThat(before.diff(config)).extracting(a -> a.name() + " " + a.action())
                    .containsExactlyElementsOf(differing.stream().map(k -> k.name() + " "
                            + (!modelBefore.containsKey(k) ? Action.CREATED : !model.containsKey(k) ? Action.DELETED
                            : Action.CONFIGURED)).toList());
            assertThat(MeshConfig.of(config.all()).changedKeys(config)).isEmpty();
            List<Resource> shuffled = new java.util.ArrayList<>(config.all());
            java.util.Collections.shuffle(shuffled, random);
            if (!shuffled.isEmpty()) {
                shuffled.add(shuffled.get(0)); // unsorted and a key twice: the last wins, as in a map
            }
            assertThat(MeshConfig.of(shuffled).all()).containsExactlyElementsOf(model.values());
        }
    }
}
