package io.isthmus.slowpath.ingress.controller;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which Ingresses Isthmus serves: those whose {@code spec.ingressClassName} (or, for old objects,
 * the {@code kubernetes.io/ingress.class} annotation) names an IngressClass whose
 * {@code spec.controller} is Isthmus's controller value, and those without a class when an
 * IngressClass of Isthmus carries {@code ingressclass.kubernetes.io/is-default-class: "true"}.
 * Every other Ingress is left alone.
 */
public final class IngressClassPolicy {
    public static final String DEFAULT_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class";
    public static final String LEGACY_CLASS_ANNOTATION = "kubernetes.io/ingress.class";

    private final Set<String> ourClasses;
    private final boolean ourDefault;
    private final boolean everything;

    private IngressClassPolicy(Set<String> ourClasses, boolean ourDefault, boolean everything) {
        this.ourClasses = Set.copyOf(ourClasses);
        this.ourDefault = ourDefault;
        this.everything = everything;
    }

    /** The policy for {@code controller} (e.g. {@code isthmus.io/ingress-controller}) given the cluster's IngressClasses. */
    public static IngressClassPolicy of(String controller, List<IngressClass> classes) {
        final Set<String> ours = new HashSet<>();
        boolean ourDefault = false;
        for (IngressClass ingressClass : classes) {
            if (ingressClass.getSpec() != null && controller.equals(ingressClass.getSpec().getController())) {
                ours.add(ingressClass.getMetadata().getName());
                final Map<String, String> annotations = ingressClass.getMetadata().getAnnotations();
                if (annotations != null && "true".equals(annotations.get(DEFAULT_CLASS_ANNOTATION))) {
                    ourDefault = true;
                }
            }
        }
        return new IngressClassPolicy(ours, ourDefault, false);
    }

    /** Serves every Ingress (offline, when a directory has no IngressClass at all). */
    public static IngressClassPolicy everything() {
        return new IngressClassPolicy(Set.of(), true, true);
    }

    /** Whether Isthmus serves {@code ingress}. */
    public boolean serves(Ingress ingress) {
        if (everything) {
            return true;
        }
        String className = ingress.getSpec() == null ? null : ingress.getSpec().getIngressClassName();
        if (className == null && ingress.getMetadata().getAnnotations() != null) {
            className = ingress.getMetadata().getAnnotations().get(LEGACY_CLASS_ANNOTATION);
        }
        return className == null ? ourDefault : ourClasses.contains(className);
    }
}
