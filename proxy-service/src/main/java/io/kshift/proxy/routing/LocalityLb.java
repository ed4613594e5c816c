package io.kshift.proxy.routing;

import io.kshift.model.istio.LoadBalancerSettings.LocalityLbSetting;
import java.util.List;
import java.util.TreeSet;

/**
 * Istio's locality load balancing for one destination as seen from one node, made once per table build: each
 * endpoint's priority level (0 first: same region, zone and subzone as the node; then same zone; then same region;
 * then the region {@code failover} names; then the rest, renumbered to be consecutive; or by {@code failoverPriority}
 * labels, {@link io.kshift.model.registry.FailoverPriority}) and its share within its level
 * ({@code distribute}: the share of the first rule whose {@code from} matches the node, split evenly over the
 * endpoints of the localities each pattern names; endpoints of localities it does not name get none). As in Istio,
 * failover levels need outlier detection (without it nothing would ever fail over), distribute does not, and a node
 * without a locality or a setting with {@code enabled: false} balances as without it. Pure: localities in, levels
 * out.
 */
public record LocalityLb(int[] level, double[] share, int levels) {
    /** Envoy's overprovisioning factor: a level takes all traffic while 1/1.4 of its endpoints are healthy. */
    static final int OVERPROVISION_PERCENT = 140;

    /** What to do for a destination whose endpoints are in {@code localities}; null where it changes nothing. */
    public static LocalityLb of(String node, List<String> localities, LocalityLbSetting setting,
                                boolean outlierDetection) {
        return of(node, localities, List.of(), setting, outlierDetection);
    }

    /**
     * {@code priorities}: each endpoint's failoverPriority level for this node (empty: none). As Istio: with them
     * the levels are theirs, and with {@code failover} too each is split further by locality (priority times five
     * plus the locality's level); a node without a locality can still use them.
     */
    public static LocalityLb of(String node, List<String> localities, List<Integer> priorities,
                                LocalityLbSetting setting, boolean outlierDetection) {
        boolean located = node != null && !node.isEmpty();
        if (!located && priorities.isEmpty() || setting != null && !setting.on() || localities.size() < 2) {
            return null;
        }
        if (setting != null && !setting.distribute().isEmpty()) {
            return located ? distribute(node, localities, setting) : null;
        }
        if (!outlierDetection) {
            return null;
        }
        String[] here = parts(node);
        boolean byLocality = priorities.isEmpty() || located && !setting.failover().isEmpty();
        int[] raw = new int[localities.size()];
        for (int i = 0; i < raw.length; i++) {
            String[] there = parts(localities.get(i));
            int near = !byLocality ? 0 : !here[0].equals(there[0]) ? failover(here[0], there[0], setting)
                    : !here[1].equals(there[1]) ? 2 : !here[2].equals(there[2]) ? 1 : 0;
            raw[i] = priorities.isEmpty() ? near : priorities.get(i) * 5 + near;
        }
        TreeSet<Integer> used = new TreeSet<>();
        for (int p : raw) {
            used.add(p);
        }
        if (used.size() < 2) {
            return null;
        }
        List<Integer> order = List.copyOf(used);
        int[] level = new int[raw.length];
        double[] share = new double[raw.length];
        for (int i = 0; i < raw.length; i++) {
            level[i] = order.indexOf(raw[i]);
            share[i] = 1;
        }
        return new LocalityLb(level, share, order.size());
    }

    /**
     * The indexes of the endpoints that take traffic, in the order retries and refused connects walk them: by level,
     * nearest first. Endpoints without a share ({@code distribute} names none of their localities) are left out.
     */
    public int[] order() {
        return java.util.stream.IntStream.range(0, level.length).filter(i -> share[i] > 0).boxed()
                .sorted(java.util.Comparator.comparingInt(i -> level[i]))
                .mapToInt(Integer::intValue).toArray();
    }

    /** These levels and shares for the endpoints put in {@code order}. */
    public LocalityLb in(int[] order) {
        int[] l = new int[order.length];
        double[] sh = new double[order.length];
        for (int i = 0; i < order.length; i++) {
            l[i] = level[order[i]];
            sh[i] = share[order[i]];
        }
        return new LocalityLb(l, sh, levels);
    }

    /** Istio: another region is level 3, or 4 when the node's region fails over to a region other than it. */
    private static int failover(String region, String other, LocalityLbSetting setting) {
        if (setting != null) {
            for (var f : setting.failover()) {
                if (f.from().equals(region)) {
                    return f.to().equals(other) ? 3 : 4;
                }
            }
        }
        return 3;
    }

    private static LocalityLb distribute(String node, List<String> localities, LocalityLbSetting setting) {
        for (var rule : setting.distribute()) {
            if (!matches(rule.from(), node)) {
                continue;
            }
            double[] share = new double[localities.size()];
            boolean[] taken = new boolean[localities.size()];
            for (var to : rule.to().entrySet()) {
                // Istio weighs each locality a pattern matches by its endpoints: the share splits evenly over them.
                int matched = 0;
                for (int i = 0; i < localities.size(); i++) {
                    if (!taken[i] && matches(to.getKey(), localities.get(i))) {
                        matched++;
                    }
                }
                for (int i = 0; i < localities.size(); i++) {
                    if (!taken[i] && matches(to.getKey(), localities.get(i))) {
                        taken[i] = true;
                        share[i] = (double) to.getValue() / matched;
                    }
                }
            }
            // A rule that gives nothing to any endpoint here would send nowhere: balanced as without it instead.
            return java.util.Arrays.stream(share).sum() > 0 ? new LocalityLb(new int[localities.size()], share, 1)
                    : null;
        }
        return null;
    }

    /** Whether a locality ({@code region/zone/subzone}) falls under a pattern ({@code *} any part, missing parts too). */
    static boolean matches(String pattern, String locality) {
        String[] want = pattern.split("/", -1);
        String[] have = parts(locality);
        for (int i = 0; i < want.length && i < 3; i++) {
            if (!want[i].equals("*") && !want[i].equals(have[i])) {
                return false;
            }
        }
        return true;
    }

    private static String[] parts(String locality) {
        String[] p = (locality == null ? "" : locality).split("/", -1);
        return new String[] {p.length > 0 ? p[0] : "", p.length > 1 ? p[1] : "", p.length > 2 ? p[2] : ""};
    }

    /**
     * Envoy's load per level (percent, summing to 100): each level's health, its healthy share of endpoints times
     * the overprovisioning factor (at most 100), taken in order until 100 is given out, scaled up when the levels
     * together are less healthy than that; with nothing healthy, all to level 0 (Envoy's panic).
     */
    public static int[] loads(int[] healthy, int[] total) {
        int[] health = new int[healthy.length];
        int sum = 0;
        for (int p = 0; p < health.length; p++) {
            health[p] = total[p] == 0 ? 0 : Math.min(100, OVERPROVISION_PERCENT * healthy[p] / total[p]);
            sum += health[p];
        }
        int normalized = Math.min(100, sum);
        int[] load = new int[health.length];
        if (normalized == 0) {
            load[0] = 100;
            return load;
        }
        int left = 100;
        for (int p = 0; p < load.length; p++) {
            load[p] = Math.min(left, health[p] * 100 / normalized);
            left -= load[p];
        }
        // Integer rounding can leave a point or two: the first level with room takes them.
        for (int p = 0; p < load.length && left > 0; p++) {
            if (health[p] > 0) {
                load[p] += left;
                left = 0;
            }
        }
        return load;
    }
}
