package io.kshift.validator.rules;

import io.kshift.model.event.ValidationMessage;
import io.kshift.model.resource.ResourceKey;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Collects every error and warning of one validation run, in the order found, without duplicates. */
public final class Findings {
    private final Set<ValidationMessage> errors = new LinkedHashSet<>();
    private final Set<ValidationMessage> warnings = new LinkedHashSet<>();
    private final java.util.Map<ResourceKey, Set<io.kshift.model.status.StatusNote>> notes = new java.util.TreeMap<>();

    public void error(ResourceKey resource, String field, String message) {
        errors.add(new ValidationMessage(resource.toString(), field, message));
    }

    public void error(ValidationMessage message) {
        errors.add(message);
    }

    public void warn(ResourceKey resource, String field, String message) {
        warnings.add(new ValidationMessage(resource.toString(), field, message));
    }

    /** What the change writes (creates, configures, deletes); null: everything (a config judged as new). */
    private Set<ResourceKey> written;

    public void written(java.util.Collection<ResourceKey> keys) {
        this.written = Set.copyOf(keys);
    }

    /**
     * A rule added after configs were accepted without it: an error where the change writes {@code resource} or one
     * of the {@code parents} it depends on (the change may be what breaks it), a warning elsewhere, so a live
     * resource that breaks it does not block every unrelated change (a registry change rechecks every route) until
     * someone edits it.
     */
    public void laterRule(ResourceKey resource, String field, String message, ResourceKey... parents) {
        boolean mine = written == null || written.contains(resource)
                || java.util.Arrays.stream(parents).anyMatch(written::contains);
        if (mine) {
            error(resource, field, message);
        } else {
            warn(resource, field, message + " (accepted before this was checked; refused once this resource, or what"
                    + " it attaches to, changes)");
        }
    }

    /** The change deregisters workloads that are gone (the registry adapter's): see {@link #endpointsLost}. */
    private boolean workloadsGone;
    /** The live config's resolver, before the change: what had no endpoints already. */
    private io.kshift.model.registry.DestinationResolver before;

    public void workloadsGone(boolean gone) {
        this.workloadsGone = gone;
    }

    public void before(io.kshift.model.registry.DestinationResolver live) {
        this.before = live;
    }

    /** The live config's resolver (null when the config is judged whole). */
    public io.kshift.model.registry.DestinationResolver before() {
        return before;
    }

    /**
     * A route whose destination has no endpoints. An error (make-before-break) where the change writes the route or
     * empties the destination; a warning on a route it does not write when the destination had none before either
     * (that is not this change's doing, and must not block it), or when the change deregisters workloads that are
     * gone: keeping their entries would keep only the pod's address, which Kubernetes gives the next pod (of any
     * service), so the route would reach an unrelated workload. Istio's route answers 503 then, and so does kshift's.
     */
    public void endpointsLost(ResourceKey resource, String field, String message, boolean emptyBefore) {
        boolean unwritten = written != null && !written.contains(resource);
        if (unwritten && (workloadsGone || emptyBefore)) {
            warn(resource, field, message + " (its workloads are gone: it answers 503 until one is registered)");
        } else {
            error(resource, field, message);
        }
    }

    /** A condition that does not hold for {@code resource}: said now as a warning, kept in its status. */
    public void note(ResourceKey resource, io.kshift.model.status.StatusNote note) {
        warn(resource, note.field(), note.message());
        notes.computeIfAbsent(resource, k -> new LinkedHashSet<>()).add(note);
    }

    /** The status notes of the resources checked, by resource. */
    public java.util.Map<ResourceKey, List<io.kshift.model.status.StatusNote>> notes() {
        java.util.Map<ResourceKey, List<io.kshift.model.status.StatusNote>> out = new java.util.TreeMap<>();
        notes.forEach((k, v) -> out.put(k, List.copyOf(v)));
        return out;
    }

    public List<ValidationMessage> errors() {
        return new ArrayList<>(errors);
    }

    public List<ValidationMessage> warnings() {
        return new ArrayList<>(warnings);
    }

    public boolean hasErrors() {
        return !errors.isEmpty();
    }
}
