package io.kshift.local.proxybench;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Prints the benchmark table: per scenario and target the median over repetitions, its spread, the median of the
 * paired ratios to {@code direct} and {@code haproxy} from the same repetition, latency percentiles, the p99 ratio
 * to HAProxy's, the v1 share and errors; for the fleet also its proxies' CPU per 1,000 operations.
 */
final class BenchTable {
    private final PrintStream out;

    BenchTable(PrintStream out) {
        this.out = out;
        out.printf("%-7s %-8s %-7s %9s %6s %8s %9s %8s %8s %7s %-15s %5s %s%n", "scen", "target", "metric",
                "median", "spread", "x_direct", "x_haproxy", "p50_us", "p99_us", "p99/hap", "v1% (n)", "err",
                "cpu-ms/1k");
    }

    void scenario(String scenario, Map<String, List<Load.Result>> results, double kshiftCpuPerK) {
        String metric = switch (scenario) {
            case "conn" -> "conn/s";
            case "rr" -> "rt/s";
            case "stream" -> "MB/s";
            default -> "req/s"; // http, https
        };
        List<Load.Result> direct = results.get("direct");
        List<Load.Result> haproxy = results.get("haproxy");
        for (Map.Entry<String, List<Load.Result>> e : results.entrySet()) {
            List<Load.Result> rs = e.getValue();
            double median = median(rs, Load.Result::rate);
            double spread = (max(rs) - min(rs)) / Math.max(1e-9, median);
            long one = rs.stream().mapToLong(Load.Result::one).sum();
            long n = rs.stream().mapToLong(r -> r.one() + r.two() + r.other()).sum();
            long errors = rs.stream().mapToLong(Load.Result::errors).sum();
            String cpu = e.getKey().equals("kshift") && !Double.isNaN(kshiftCpuPerK)
                    ? String.format("%.0f%s", kshiftCpuPerK, scenario.equals("stream") ? " per MB" : "") : "";
            boolean latency = !scenario.equals("stream");
            out.printf("%-7s %-8s %-7s %9.1f %6s %8s %9s %8s %8s %7s %-15s %5d %s%n", scenario, e.getKey(),
                    metric, median, rs.size() < 2 ? "-" : String.format("%.0f%%", spread * 100),
                    ratio(rs, direct, Load.Result::rate),
                    ratio(rs, haproxy, Load.Result::rate),
                    latency ? String.format("%.0f", median(rs, r -> r.latency().quantile(0.50))) : "-",
                    latency ? String.format("%.0f", median(rs, r -> r.latency().quantile(0.99))) : "-",
                    latency ? ratio(rs, haproxy, r -> r.latency().quantile(0.99)) : "-",
                    n == 0 ? "-" : String.format("%.2f (%d)", 100.0 * one / n, n), errors, cpu);
        }
    }

    void footer(List<Long> proxyRssMb) {
        out.println("x_*: median of per-repetition ratios (same repetition); cpu-ms/1k: the fleet's proxies' CPU "
                + "milliseconds per 1,000 connections, round trips or requests (0.2 vCPU per 1,000 req/s = 200)");
        out.println("proxy RSS after the run (MB): " + proxyRssMb);
    }

    private static String ratio(List<Load.Result> rs, List<Load.Result> base, ToDoubleFunction<Load.Result> f) {
        if (base == null || base.size() != rs.size()) {
            return "-";
        }
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < rs.size(); i++) {
            ratios.add(f.applyAsDouble(rs.get(i)) / Math.max(1e-9, f.applyAsDouble(base.get(i))));
        }
        return String.format("%.3f", median(ratios));
    }

    private static double median(List<Load.Result> rs, ToDoubleFunction<Load.Result> f) {
        return median(rs.stream().map(f::applyAsDouble).toList());
    }

    private static double median(List<Double> values) {
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n == 0 ? 0 : n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }

    private static double max(List<Load.Result> rs) {
        return rs.stream().mapToDouble(Load.Result::rate).max().orElse(0);
    }

    private static double min(List<Load.Result> rs) {
        return rs.stream().mapToDouble(Load.Result::rate).min().orElse(0);
    }
}
