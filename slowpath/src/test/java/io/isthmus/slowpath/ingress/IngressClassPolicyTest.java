package io.isthmus.slowpath.ingress;

import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.IngressBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClass;
import io.fabric8.kubernetes.api.model.networking.v1.IngressClassBuilder;
import io.isthmus.slowpath.ingress.controller.IngressClassPolicy;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which Ingresses are Isthmus's: by class name, by the legacy annotation, by the default class. */
class IngressClassPolicyTest {
    private static final String OURS = IngressSettings.DEFAULT_CONTROLLER;

    private static IngressClass ingressClass(String name, String controller, boolean isDefault) {
        return new IngressClassBuilder().withNewMetadata().withName(name)
                .withAnnotations(isDefault ? Map.of(IngressClassPolicy.DEFAULT_CLASS_ANNOTATION, "true") : Map.of()).endMetadata()
                .withNewSpec().withController(controller).endSpec().build();
    }

    private static Ingress ingress(String className, String legacyAnnotation) {
        return new IngressBuilder().withNewMetadata().withName("i").withNamespace("default")
                .withAnnotations(legacyAnnotation == null ? Map.of() : Map.of(IngressClassPolicy.LEGACY_CLASS_ANNOTATION, legacyAnnotation))
                .endMetadata().withNewSpec().withIngressClassName(className).endSpec().build();
    }

    @Test
    void byClassNameAndByTheLegacyAnnotation() {
        final IngressClassPolicy policy = IngressClassPolicy.of(OURS, List.of(
                ingressClass("isthmus", OURS, false), ingressClass("nginx", "k8s.io/ingress-nginx", true)));
        assertTrue(policy.serves(ingress("isthmus", null)));
        assertFalse(policy.serves(ingress("nginx", null)));
        assertFalse(policy.serves(ingress("no-such-class", null)));
        assertTrue(policy.serves(ingress(null, "isthmus")));
        assertFalse(policy.serves(ingress(null, "nginx")));
        assertFalse(policy.serves(ingress("nginx", "isthmus")), "spec.ingressClassName wins over the annotation");
        assertFalse(policy.serves(ingress(null, null)), "the default class is another controller's");
    }

    @Test
    void withoutAClassOnlyWhenTheDefaultClassIsOurs() {
        assertTrue(IngressClassPolicy.of(OURS, List.of(ingressClass("isthmus", OURS, true))).serves(ingress(null, null)));
        assertFalse(IngressClassPolicy.of(OURS, List.of(ingressClass("isthmus", OURS, false))).serves(ingress(null, null)));
        assertFalse(IngressClassPolicy.of(OURS, List.of()).serves(ingress(null, null)));
        assertTrue(IngressClassPolicy.of("example.com/other", List.of(ingressClass("x", "example.com/other", true))).serves(ingress(null, null)),
                "the controller value is configurable");
        assertTrue(IngressClassPolicy.everything().serves(ingress("anything", null)));
    }
}
