package io.kshift.model;

import io.kshift.model.resource.Resource;
import java.util.ArrayList;
import java.util.List;

/** Tests' mesh of many services: Service, v1/v2 WorkloadEntries, DestinationRule and a 90/10 VirtualService each. */
public final class ScaleFixtures {
    private ScaleFixtures() {
    }

    public static List<Resource> services(int n) {
        List<Resource> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.addAll(service(i, 90, "127.0.0.1"));
        }
        return out;
    }

    /** Service {@code svc-i}: its v1 workload at {@code v1Address}, port 20000+i (v2: 40000+i, 127.0.0.1). */
    public static List<Resource> service(int i, int v1Weight, String v1Address) {
        return parse(io.kshift.model.mesh.SyntheticMesh.service("scale", i, v1Weight, v1Address));
    }

    public static String virtualService(int i, int v1Weight) {
        return io.kshift.model.mesh.SyntheticMesh.virtualService("scale", i, v1Weight);
    }

    public static List<Resource> parse(String yaml) {
        return io.kshift.model.mesh.SyntheticMesh.parse(yaml);
    }
}
