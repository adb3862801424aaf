package org.litsxg.conformance.steps;

import io.cucumber.java.ParameterType;
import java.util.Arrays;
import java.util.List;

/**
 * The kit's Cucumber parameter types.
 *
 * <ul>
 *   <li>{@code {conn}}: a client connection: {@code alice} (alice's first connection),
 *       {@code alice's second connection} ({@code alice#2}), {@code alice's third connection}
 *       ({@code alice#3}).</li>
 *   <li>{@code {names}}: one or more names: {@code alice}, {@code alice and bob},
 *       {@code alice, bob and carol}.</li>
 * </ul>
 */
public final class ParameterTypes {

    @ParameterType(name = "conn", value = "([a-z0-9][a-z0-9_-]*)(?:'s (first|second|third) connection)?")
    public String conn(String name, String which) {
        if (which == null || which.equals("first")) {
            return name;
        }
        return name + (which.equals("second") ? "#2" : "#3");
    }

    @ParameterType(name = "names",
            value = "[a-z0-9][a-z0-9_-]*(?:(?:, | and )[a-z0-9][a-z0-9_-]*)*")
    public List<String> names(String list) {
        return Arrays.stream(list.split(", | and ")).toList();
    }
}
