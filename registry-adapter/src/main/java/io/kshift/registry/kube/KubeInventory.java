package io.kshift.registry.kube;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSlice;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.Informable;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Informers on Services, EndpointSlices and Pods (in every namespace, or the configured ones): a local cache kept
 * current by list-then-watch, as every Kubernetes controller does. Any change calls {@code onChange}; the
 * reconciler then reads the whole cache, so a missed or coalesced event loses nothing.
 */
public final class KubeInventory implements AutoCloseable {
    private final List<SharedIndexInformer<Service>> services = new ArrayList<>();
    private final List<SharedIndexInformer<EndpointSlice>> slices = new ArrayList<>();
    private final List<SharedIndexInformer<Pod>> pods = new ArrayList<>();

    public KubeInventory(KubernetesClient client, List<String> namespaces, Runnable onChange) {
        ResourceEventHandler<HasMetadata> handler = new ResourceEventHandler<>() {
            @Override
            public void onAdd(HasMetadata obj) {
                onChange.run();
            }

            @Override
            public void onUpdate(HasMetadata oldObj, HasMetadata newObj) {
                onChange.run();
            }

            @Override
            public void onDelete(HasMetadata obj, boolean deletedFinalStateUnknown) {
                onChange.run();
            }
        };
        for (String ns : namespaces.isEmpty() ? List.of("") : namespaces) {
            services.add(start(ns, n -> client.services().inNamespace(n), () -> client.services().inAnyNamespace(),
                    handler));
            slices.add(start(ns, n -> client.discovery().v1().endpointSlices().inNamespace(n),
                    () -> client.discovery().v1().endpointSlices().inAnyNamespace(), handler));
            pods.add(start(ns, n -> client.pods().inNamespace(n), () -> client.pods().inAnyNamespace(), handler));
        }
    }

    private static <T extends HasMetadata> SharedIndexInformer<T> start(
            String namespace, Function<String, Informable<T>> inNamespace,
            java.util.function.Supplier<Informable<T>> anyNamespace, ResourceEventHandler<? super T> handler) {
        Informable<T> source = namespace.isEmpty() ? anyNamespace.get() : inNamespace.apply(namespace);
        SharedIndexInformer<T> informer = source.runnableInformer(0);
        informer.addEventHandler(handler);
        informer.start();
        return informer;
    }

    /** Whether every informer has its initial list: before that the cache would look like deletions. */
    public boolean synced() {
        return all().stream().allMatch(SharedIndexInformer::hasSynced);
    }

    public KubeObjects objects() {
        return new KubeObjects(list(services), list(slices), list(pods));
    }

    private static <T> List<T> list(List<SharedIndexInformer<T>> informers) {
        List<T> out = new ArrayList<>();
        informers.forEach(i -> out.addAll(i.getStore().list()));
        return out;
    }

    private List<SharedIndexInformer<?>> all() {
        List<SharedIndexInformer<?>> all = new ArrayList<>(services);
        all.addAll(slices);
        all.addAll(pods);
        return all;
    }

    @Override
    public void close() {
        all().forEach(SharedIndexInformer::close);
    }
}
