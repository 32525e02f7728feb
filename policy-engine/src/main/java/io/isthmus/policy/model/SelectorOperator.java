package io.isthmus.policy.model;

/** The operators of a label selector requirement (API: {@code LabelSelectorRequirement.operator}). */
public enum SelectorOperator {
    IN("In"), NOT_IN("NotIn"), EXISTS("Exists"), DOES_NOT_EXIST("DoesNotExist");

    private final String apiName;

    SelectorOperator(String apiName) {
        this.apiName = apiName;
    }

    public String apiName() {
        return apiName;
    }

    /** Parses the API spelling; null when it is not one of the four operators. */
    public static SelectorOperator ofApiName(String name) {
        for (SelectorOperator op : values()) {
            if (op.apiName.equals(name)) {
                return op;
            }
        }
        return null;
    }
}
