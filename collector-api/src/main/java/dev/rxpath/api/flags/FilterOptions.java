package dev.rxpath.api.flags;

import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Message;
import com.google.protobuf.ProtocolMessageEnum;
import dev.rxpath.api.v1.Family;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The filter flags paths and flows share, and how flags become the request's filters.
 * A flag's values OR and different flags AND, in one whitelist filter. {@code --not} sends
 * the next filter flag's values to a blacklist filter of that flag's own, so each negated
 * flag excludes by itself: {@code --not --comm sshd --not --port 22} hides sshd and hides
 * port 22. {@code --port} matches either end; a filter field holds one end, so it becomes
 * one filter per end (the whitelist's other fields copied into each).
 *
 * <p>Picocli calls annotated setters in command-line order, which is what lets {@code --not}
 * reach exactly the flag after it. The flags are set through proto reflection by field name,
 * so PathFilter and FlowFilter, which share these fields, share this code.
 */
public abstract class FilterOptions {
    /** For the filtering commands' help. */
    public static final String COMBINED = "A flag's values are alternatives (repeat it); different flags must all match;"
            + " --not excludes what the next flag matches.";

    /** A filter flag and the fields its values may match: one, or either end for --port. */
    private record Flag(String name, List<FieldDescriptor> fields) {}

    @Spec(Spec.Target.MIXEE)
    CommandSpec command;

    private final Descriptor filterType;
    private final Map<Flag, List<Object>> selected = new LinkedHashMap<>();
    private final Map<Flag, List<Object>> excluded = new LinkedHashMap<>();
    /** How many of each flag's values are filed: picocli hands a setter the flag's whole list each time. */
    private final Map<String, Integer> filed = new HashMap<>();
    private boolean negateNext;

    protected FilterOptions(Descriptor filterType) {
        this.filterType = filterType;
    }

    // an array, as picocli refuses a plain boolean flag given twice; each call is one more --not
    @Option(names = "--not", arity = "0", description = "Exclude what the next filter flag matches (each negated flag excludes on its own).")
    void not(boolean[] occurrences) {
        if (negateNext) throw usage("--not twice in a row: it negates the one filter flag after it");
        negateNext = true;
    }

    @Option(names = "--remote-ip", split = ",", paramLabel = "ADDR[/BITS]", converter = AddressConverter.class,
            description = "The remote end's address or CIDR.")
    void remoteIp(List<String> values) {
        add("--remote-ip", values, "remote_ip");
    }

    @Option(names = "--local-ip", split = ",", paramLabel = "ADDR[/BITS]", converter = AddressConverter.class,
            description = "This node's end's address or CIDR.")
    void localIp(List<String> values) {
        add("--local-ip", values, "local_ip");
    }

    @Option(names = "--remote-port", split = ",", paramLabel = "PORT", converter = PortConverter.class, description = "The remote end's port.")
    void remotePort(List<Integer> values) {
        add("--remote-port", values, "remote_port");
    }

    @Option(names = "--local-port", split = ",", paramLabel = "PORT", converter = PortConverter.class, description = "This node's end's port.")
    void localPort(List<Integer> values) {
        add("--local-port", values, "local_port");
    }

    @Option(names = "--port", split = ",", paramLabel = "PORT", converter = PortConverter.class,
            description = "Either end's port (not with --remote-port or --local-port).")
    void port(List<Integer> values) {
        add("--port", values, "remote_port", "local_port");
    }

    @Option(names = "--family", paramLabel = "FAMILY", converter = EnumNames.Families.class,
            completionCandidates = EnumNames.Families.class, description = "Address family: ${COMPLETION-CANDIDATES}.")
    void family(List<Family> values) {
        add("--family", values, "family");
    }

    @Option(names = "--pid", paramLabel = "PID", description = "The reading process (tgid).")
    void pid(List<Integer> values) {
        positive("--pid", values);
        add("--pid", values, "pid");
    }

    @Option(names = "--comm", paramLabel = "NAME", description = "The reading task's name, exactly.")
    void comm(List<String> values) {
        add("--comm", values, "comm");
    }

    @Option(names = "--cgroup", split = ",", paramLabel = "ID|DIR", converter = CgroupConverter.class,
            description = "The reading task's cgroup v2 or one above it (a slice, a pod): its id, or its directory on this"
                    + " machine (its full path, or as /proc/PID/cgroup names it under the cgroup v2 mount).")
    void cgroup(List<Long> values) {
        positive("--cgroup", values);
        add("--cgroup", values, "cgroup_id");
    }

    @Option(names = "--pod", paramLabel = "[NAMESPACE/]NAME",
            description = "The reading task's pod: a name prefix, in any namespace or in the one given (\"shop/web-\").")
    void pod(List<String> values) {
        add("--pod", values, "pod");
    }

    @Option(names = "--namespace", paramLabel = "NAMESPACE", description = "The reading task's pod's namespace, exactly.")
    void namespace(List<String> values) {
        add("--namespace", values, "namespace");
    }

    @Option(names = "--container", paramLabel = "NAME|ID",
            description = "The reading task's container: its name in its pod, or a prefix of its id (12 digits or more; \"containerd://\" may lead).")
    void container(List<String> values) {
        add("--container", values, "container");
    }

    @Option(names = "--node", paramLabel = "NAME", description = "The node that saw it (through a relay): its name, or a prefix ending in *.")
    void node(List<String> values) {
        add("--node", values, "node_name");
    }

    @Option(names = "--netns", paramLabel = "INODE", description = "Network namespace inode (the agent does not see namespaces yet and refuses it).")
    void netns(List<Long> values) {
        positive("--netns", values);
        add("--netns", values, "netns");
    }

    /**
     * Files the values picocli appended to {@code values} since its last call, to the
     * whitelist, or to the blacklist after --not.
     */
    protected final void add(String name, List<?> values, String... fieldNames) {
        int from = filed.getOrDefault(name, 0);
        if (values.size() == from) return; // picocli's first call, with the empty list
        filed.put(name, values.size());
        Flag flag = new Flag(name, Arrays.stream(fieldNames).map(filterType::findFieldByName).toList());
        Map<Flag, List<Object>> side = negateNext ? excluded : selected;
        negateNext = false;
        if (side == selected) {
            for (Flag other : selected.keySet()) {
                for (FieldDescriptor field : flag.fields()) {
                    if (!other.equals(flag) && other.fields().contains(field)) {
                        throw usage(other.name() + " and " + name + " cannot be combined: both match " + field.getName());
                    }
                }
            }
        }
        List<Object> filtered = side.computeIfAbsent(flag, f -> new ArrayList<>());
        values.subList(from, values.size()).forEach(v -> filtered.add(protoValue(v)));
        if (!flag.fields().get(0).isRepeated() && filtered.size() > 1) {
            throw usage(name + " takes one value (and one more after --not)");
        }
    }

    /**
     * The values {@code flag} selects, as the filters carry them (ports, address texts, cgroup
     * ids); none when it selects nothing or only excludes. The agent narrows its kernel watch by
     * them: they AND across flags and OR within one, as the whitelist does.
     */
    public final <T> List<T> selected(String flag, Class<T> type) {
        requireNothingPending();
        return selected.entrySet().stream().filter(e -> e.getKey().name().equals(flag))
                .flatMap(e -> e.getValue().stream()).map(type::cast).toList();
    }

    /** The filter flags given: those that select, or those after --not. */
    public final Set<String> given(boolean negated) {
        return (negated ? excluded : selected).keySet().stream().map(Flag::name).collect(Collectors.toCollection(TreeSet::new));
    }

    /** The whitelist: none when no flag selects; one filter, or one per end with --port. */
    protected final <B extends Message.Builder> List<B> whitelist(Supplier<B> newFilter) {
        requireNothingPending();
        List<B> filters = selected.isEmpty() ? List.of() : List.of(newFilter.get());
        for (Map.Entry<Flag, List<Object>> entry : selected.entrySet()) {
            List<B> next = new ArrayList<>();
            for (B filter : filters) {
                for (FieldDescriptor field : entry.getKey().fields()) {
                    @SuppressWarnings("unchecked") // clone() is declared on Message.Builder; it returns the same type
                    B copy = (B) filter.clone();
                    next.add(set(copy, field, entry.getValue()));
                }
            }
            filters = next;
        }
        return filters;
    }

    /** The blacklist: one filter per negated flag and field. */
    protected final <B extends Message.Builder> List<B> blacklist(Supplier<B> newFilter) {
        requireNothingPending();
        List<B> filters = new ArrayList<>();
        excluded.forEach((flag, values) -> flag.fields().forEach(field -> filters.add(set(newFilter.get(), field, values))));
        return filters;
    }

    protected final ParameterException usage(String message) {
        return new ParameterException(command.commandLine(), message);
    }

    private void requireNothingPending() {
        if (negateNext) throw usage("--not must come before a filter flag");
    }

    private void positive(String name, List<? extends Number> values) {
        if (values.stream().anyMatch(v -> v.longValue() <= 0)) throw usage(name + " takes positive numbers");
    }

    private static <B extends Message.Builder> B set(B filter, FieldDescriptor field, List<Object> values) {
        for (Object value : values) {
            if (field.isRepeated()) filter.addRepeatedField(field, value);
            else filter.setField(field, value);
        }
        return filter;
    }

    /** What proto reflection takes for a flag's value. */
    private static Object protoValue(Object value) {
        if (value instanceof ProtocolMessageEnum e) return e.getValueDescriptor();
        if (value instanceof Duration d) {
            return com.google.protobuf.Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
        }
        return value;
    }
}
