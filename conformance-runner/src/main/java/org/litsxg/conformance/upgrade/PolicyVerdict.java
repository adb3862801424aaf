package org.litsxg.conformance.upgrade;

import java.util.ArrayList;
import java.util.List;

/**
 * The verdict of seed 000's upgrade policy on a candidate build: {@code permitted} when the
 * upgrade in place held and the behaviour diff shows nothing but fixes (and unchanged
 * scenarios); otherwise {@code NOT PERMITTED}, with every reason. Drift (same outcome,
 * different bytes) is listed for review but is not a reason on its own: a bug fix may change
 * bytes no clause judges. The rollback is never a reason (the policy allows either).
 *
 * @param reasons each as {@code <reason>: <what>}, e.g. {@code regression: CMD-13 features/commands.feature:40 ...}
 */
public record PolicyVerdict(boolean permitted, List<String> reasons) {

    public static final String REGRESSION = "regression";
    public static final String EXTENSION = "extension";

    public static PolicyVerdict of(UpgradeInPlace.Result upgrade, BehaviourDiff.Result diff) {
        List<String> reasons = new ArrayList<>();
        for (UpgradeInPlace.Check c : upgrade.failures()) {
            reasons.add(c.reason().label() + ": " + c.what() + ": " + c.detail());
        }
        for (BehaviourDiff.Scenario s : diff.of(BehaviourDiff.Kind.REGRESSED)) {
            reasons.add(REGRESSION + ": " + String.join(",", s.clauses()) + " " + s.location() + " " + s.name() + " ("
                    + s.detail() + ")");
        }
        for (String e : diff.extensions()) {
            reasons.add(EXTENSION + ": " + e);
        }
        return new PolicyVerdict(reasons.isEmpty(), List.copyOf(reasons));
    }

    /** The reason kinds, in order, without repeats: {@code [regression, extension]}. */
    public List<String> kinds() {
        return reasons.stream().map(r -> r.substring(0, r.indexOf(':'))).distinct().toList();
    }

    public String label() {
        return permitted ? "permitted" : "NOT PERMITTED";
    }
}
