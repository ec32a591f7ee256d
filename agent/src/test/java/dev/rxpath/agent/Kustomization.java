package dev.rxpath.agent;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.zjsonpatch.JsonPatch;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;

/**
 * The part of kustomize that deploy/ uses, to read its objects with the Kubernetes model in
 * tests: {@code resources} (files and other kustomizations) and inline JSON 6902
 * {@code patches} whose target is a kind and a name. Any other field is refused, so the
 * manifests cannot use one that this reading would skip; {@code kubectl kustomize} builds
 * the same objects.
 */
final class Kustomization {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final Set<String> FIELDS = Set.of("apiVersion", "kind", "resources", "patches");

    private Kustomization() {}

    /** The objects the kustomization in {@code dir} builds. */
    @SuppressWarnings("unchecked")
    static List<HasMetadata> build(Path dir) throws IOException {
        Map<String, Object> k = SERIALIZATION.unmarshal(Files.readString(dir.resolve("kustomization.yaml")), Map.class);
        for (String field : k.keySet()) {
            if (!FIELDS.contains(field)) throw new IllegalArgumentException(dir + ": kustomization field " + field + " is not read here");
        }
        List<HasMetadata> objects = new ArrayList<>();
        for (String resource : (List<String>) k.getOrDefault("resources", List.of())) {
            Path p = dir.resolve(resource).normalize();
            objects.addAll(Files.isDirectory(p) ? build(p) : parse(p));
        }
        for (Map<String, Object> patch : (List<Map<String, Object>>) k.getOrDefault("patches", List.of())) {
            Map<String, String> target = (Map<String, String>) patch.get("target");
            JsonNode ops = SERIALIZATION.convertValue(SERIALIZATION.unmarshal((String) patch.get("patch"), List.class), JsonNode.class);
            int matched = 0;
            for (int i = 0; i < objects.size(); i++) {
                HasMetadata o = objects.get(i);
                if (o.getKind().equals(target.get("kind")) && o.getMetadata().getName().equals(target.get("name"))) {
                    JsonNode patched = JsonPatch.apply(ops, SERIALIZATION.convertValue(o, JsonNode.class));
                    objects.set(i, known(SERIALIZATION.convertValue(patched, o.getClass()), dir + " (patched)"));
                    matched++;
                }
            }
            if (matched != 1) throw new IllegalArgumentException(dir + ": a patch's target " + target + " matched " + matched + " objects");
        }
        return objects;
    }

    /** Every object in a YAML file of one or more documents; a field the model does not know fails it. */
    private static List<HasMetadata> parse(Path file) throws IOException {
        Object parsed = SERIALIZATION.unmarshal(Files.readString(file));
        List<HasMetadata> objects = parsed instanceof List<?> l ? l.stream().map(HasMetadata.class::cast).toList() : List.of((HasMetadata) parsed);
        for (HasMetadata o : objects) known(o, file.toString());
        return objects;
    }

    private static HasMetadata known(HasMetadata o, String where) {
        List<String> unknown = new ArrayList<>();
        unknownFields(o, o.getKind(), unknown);
        if (!unknown.isEmpty()) throw new IllegalArgumentException(where + ": fields the Kubernetes model does not know: " + unknown);
        return o;
    }

    /** The model keeps a field it does not know in its object's additional properties: strict reading is finding none. */
    private static void unknownFields(Object o, String path, List<String> out) {
        if (o instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) unknownFields(list.get(i), path + "[" + i + "]", out);
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((key, value) -> unknownFields(value, path + "." + key, out));
            return;
        }
        if (o == null || !o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) return;
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get") || m.getName().equals("getClass")) {
                continue;
            }
            Object value;
            try {
                value = m.invoke(o);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (value instanceof Map<?, ?> extra && !extra.isEmpty()) out.add(path + " " + extra.keySet());
            } else {
                unknownFields(value, path + "." + m.getName().substring(3), out);
            }
        }
    }
}
