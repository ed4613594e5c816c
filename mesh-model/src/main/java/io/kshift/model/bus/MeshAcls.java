package io.kshift.model.bus;

import io.kshift.model.event.MeshTopics;
import java.util.ArrayList;
import java.util.List;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * Who may do what on a closed bus, the one definition (the local broker applies it; docs/security.md lists it):
 * only config-service and the registry adapter write changes; only the validator's principal (which writes them in
 * transactions under its transactional ids) writes verdicts, snapshots and history; only proxies write their status and raw telemetry; telemetry-service writes
 * the windows; everyone reads only what it reads. A principal is {@code User:<name>} of a SCRAM user.
 */
public final class MeshAcls {
    public static final String CONFIG_SERVICE = "kshift-config-service";
    public static final String VALIDATOR = "kshift-validator";
    public static final String PROXY = "kshift-proxy";
    public static final String TELEMETRY = "kshift-telemetry";
    public static final String REGISTRY = "kshift-registry-adapter";
    /**
     * The subject the registry adapter's changes are submitted by. Reserved: config-service refuses API applies and
     * deletes of a token with it, as the validator lets such a deletion deregister the last endpoints of a route (a
     * pod that is gone); a rollback, always an admin's, is a REPLACE, which the validator never relaxes.
     */
    public static final String REGISTRY_SUBJECT = "system:" + REGISTRY;
    /** Local tools (console consumers, the launcher's readers): read and describe, never write. */
    public static final String TOOLS = "kshift-tools";
    public static final List<String> SERVICES = List.of(CONFIG_SERVICE, VALIDATOR, PROXY, TELEMETRY, REGISTRY, TOOLS);

    private MeshAcls() {
    }

    /** The bindings for every service principal; {@code telemetryAppId} is the Kafka Streams application id. */
    public static List<AclBinding> all(String telemetryAppId) {
        List<AclBinding> out = new ArrayList<>();
        // config-service: submits changes; reads verdicts, snapshots, history and proxy reports.
        topics(out, CONFIG_SERVICE, AclOperation.WRITE, MeshTopics.CHANGES);
        topics(out, CONFIG_SERVICE, AclOperation.READ, MeshTopics.CHANGE_RESULTS, MeshTopics.CONFIG,
                MeshTopics.CONFIG_HISTORY, MeshTopics.PROXY_STATUS);
        groups(out, CONFIG_SERVICE, "kshift-config-");
        // The validator: reads changes, the live config, (on taking over) recent verdicts and, when the live config
        // cannot be rebuilt from kshift.config, the history; writes verdicts, snapshots, history and dead letters,
        // transactionally under its own transactional ids.
        topics(out, VALIDATOR, AclOperation.READ, MeshTopics.CHANGES, MeshTopics.CONFIG, MeshTopics.CHANGE_RESULTS,
                MeshTopics.CONFIG_HISTORY);
        topics(out, VALIDATOR, AclOperation.WRITE, MeshTopics.CHANGE_RESULTS, MeshTopics.CONFIG,
                MeshTopics.CONFIG_HISTORY, MeshTopics.CHANGES_DEAD_LETTER);
        groups(out, VALIDATOR, "kshift-validator");
        for (AclOperation op : List.of(AclOperation.WRITE, AclOperation.DESCRIBE)) {
            out.add(allow(VALIDATOR, new ResourcePattern(ResourceType.TRANSACTIONAL_ID, "kshift-validator",
                    PatternType.PREFIXED), op));
        }
        // Proxies: read snapshots; write their status and raw telemetry.
        topics(out, PROXY, AclOperation.READ, MeshTopics.CONFIG);
        topics(out, PROXY, AclOperation.WRITE, MeshTopics.PROXY_STATUS, MeshTopics.TELEMETRY_RAW);
        groups(out, PROXY, "kshift-proxy-");
        // telemetry-service: a Kafka Streams app over raw telemetry, writing windows, with its own internal topics.
        topics(out, TELEMETRY, AclOperation.READ, MeshTopics.TELEMETRY_RAW, MeshTopics.TELEMETRY);
        topics(out, TELEMETRY, AclOperation.WRITE, MeshTopics.TELEMETRY);
        for (AclOperation op : List.of(AclOperation.ALL)) {
            out.add(allow(TELEMETRY, new ResourcePattern(ResourceType.TOPIC, telemetryAppId + "-",
                    PatternType.PREFIXED), op));
        }
        groups(out, TELEMETRY, telemetryAppId);
        for (AclOperation op : List.of(AclOperation.WRITE, AclOperation.DESCRIBE)) {
            // exactly_once_v2: the stream threads' transactional ids start with the application id.
            out.add(allow(TELEMETRY, new ResourcePattern(ResourceType.TRANSACTIONAL_ID, telemetryAppId,
                    PatternType.PREFIXED), op));
        }
        groups(out, TELEMETRY, "kshift-telemetry-");
        // The registry adapter: submits registrations; reads snapshots and verdicts.
        topics(out, REGISTRY, AclOperation.WRITE, MeshTopics.CHANGES);
        topics(out, REGISTRY, AclOperation.READ, MeshTopics.CONFIG, MeshTopics.CHANGE_RESULTS);
        // Tools: read and describe everything kshift's, write nothing.
        out.add(allow(TOOLS, new ResourcePattern(ResourceType.TOPIC, "kshift.", PatternType.PREFIXED),
                AclOperation.READ));
        out.add(allow(TOOLS, new ResourcePattern(ResourceType.TOPIC, "kshift.", PatternType.PREFIXED),
                AclOperation.DESCRIBE_CONFIGS));
        // Its own groups only: joining the validator's group would take the change partition from it.
        out.add(allow(TOOLS, new ResourcePattern(ResourceType.GROUP, "kshift-tools-", PatternType.PREFIXED),
                AclOperation.READ));
        out.add(allow(TOOLS, new ResourcePattern(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL),
                AclOperation.DESCRIBE));
        return List.copyOf(out);
    }

    private static void topics(List<AclBinding> out, String user, AclOperation op, String... topics) {
        for (String t : topics) {
            out.add(allow(user, new ResourcePattern(ResourceType.TOPIC, t, PatternType.LITERAL), op));
        }
    }

    private static void groups(List<AclBinding> out, String user, String prefix) {
        out.add(allow(user, new ResourcePattern(ResourceType.GROUP, prefix, PatternType.PREFIXED), AclOperation.READ));
    }

    private static AclBinding allow(String user, ResourcePattern pattern, AclOperation op) {
        return new AclBinding(pattern, new AccessControlEntry("User:" + user, "*", op, AclPermissionType.ALLOW));
    }
}
