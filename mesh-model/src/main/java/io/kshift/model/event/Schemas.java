package io.kshift.model.event;

/** The {@code schema} value of each event type: {@code kshift.io/v1/<Type>}; see docs/events.md. */
public final class Schemas {
    public static final String CHANGE_REQUESTED = "kshift.io/v1/ChangeRequested";
    public static final String CHANGE_RESULT = "kshift.io/v1/ChangeResult";
    public static final String MESH_SNAPSHOT = "kshift.io/v1/MeshSnapshot";
    public static final String SNAPSHOT_DELTA = "kshift.io/v1/SnapshotDelta";
    public static final String PROXY_STATUS = "kshift.io/v1/ProxyStatus";
    public static final String TELEMETRY_REPORT = "kshift.io/v1/TelemetryReport";
    public static final String TELEMETRY_WINDOW = "kshift.io/v1/TelemetryWindow";

    private Schemas() {
    }
}
