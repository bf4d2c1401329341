package io.sluice.view;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.sluice.view.Catalog.Column;
import io.sluice.view.Catalog.ForeignKey;
import io.sluice.view.Catalog.Table;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.assertj.core.groups.Tuple;
import org.junit.jupiter.api.Test;

/** A view is checked as a whole against the source's tables, and every problem is named with its place and fix. */
class ViewValidatorTest {
    private static final Catalog SHOP = new Catalog(List.of(
            new Table("shop.customers", List.of(new Column("id", "bigint", false), new Column("name", "varchar", false),
                    new Column("city", "varchar", true)), List.of("id"), List.of(List.of("id")), List.of()),
            new Table("shop.orders", List.of(new Column("id", "bigint", false), new Column("customer_id", "bigint", false),
                    new Column("total", "decimal", false), new Column("note", "text", true)), List.of("id"), List.of(List.of("id")),
                    List.of(new ForeignKey(List.of("customer_id"), "shop.customers", List.of("id")))),
            new Table("shop.order_items", List.of(new Column("order_id", "bigint", false), new Column("line", "int", false),
                    new Column("product_id", "bigint", false), new Column("qty", "int", false)), List.of("order_id", "line"),
                    List.of(List.of("order_id", "line")), List.of(new ForeignKey(List.of("order_id"), "shop.orders", List.of("id")),
                            new ForeignKey(List.of("product_id"), "shop.products", List.of("id")))),
            new Table("shop.products", List.of(new Column("id", "bigint", false), new Column("sku", "varchar", false),
                    new Column("name", "varchar", false)), List.of("id"), List.of(List.of("id"), List.of("sku")), List.of()),
            new Table("shop.audit", List.of(new Column("at", "datetime", false)), List.of(), List.of(), List.of())));
    private static final Set<String> CAPTURED = Set.of("shop.customers", "shop.orders", "shop.order_items", "shop.products");

    private static Map<String, String> on(String... pairs) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.put(pairs[i], pairs[i + 1]);
        }
        return out;
    }

    private static Relation rel(String name, Relation.Kind kind, String table, Map<String, String> on, List<Relation> nested) {
        return new Relation(name, kind, table, on, null, null, null, nested);
    }

    private static ViewNode validate(ViewDefinition view) {
        return ViewValidator.validate(view, "demo", SHOP, CAPTURED::contains);
    }

    @Test
    void shouldBuildTheTreeOfAThreeLevelViewWithACompositeKey() {
        ViewDefinition orders = new ViewDefinition("orders", "shop", "shop.orders", List.of("total"), Map.of("total", "amount"), List.of(
                rel("customer", Relation.Kind.ONE, "shop.customers", on("customer_id", "id"), null),
                rel("items", Relation.Kind.MANY, "shop.order_items", on("id", "order_id"), List.of(
                        rel("product", Relation.Kind.ONE, "shop.products", on("product_id", "id"), null)))));
        ViewNode root = validate(orders);
        assertThat(root.fields()).as("the key is always held").containsEntry("total", "amount").containsEntry("id", "id");
        assertThat(root.walk()).extracting(ViewNode::path).containsExactly("", "customer", "items", "items.product");
        ViewNode items = root.children().get(1);
        assertThat(items.kind()).isEqualTo(Relation.Kind.MANY);
        assertThat(items.parentColumns()).containsExactly("id");
        assertThat(items.columns()).containsExactly("order_id");
        assertThat(items.orderBy()).as("the primary key orders by default").containsExactly("order_id", "line");
        assertThat(items.children().get(0).table().table()).isEqualTo("products");
    }

    @Test
    void shouldReportEveryProblemAtOnceWithItsPathAndFix() {
        ViewDefinition bad = new ViewDefinition("Orders!", null, "shop.orders", List.of("total", "nope"), null, List.of(
                rel("customer", Relation.Kind.ONE, "shop.customers", on("customer_id", "name"), null),
                rel("items", Relation.Kind.ONE, "shop.order_items", on("id", "order_id"), null),
                rel("total", Relation.Kind.MANY, "shop.missing", on("id", "x"), null),
                rel("audit", Relation.Kind.MANY, "shop.audit", on("id", "at"), null),
                rel("self", Relation.Kind.ONE, "shop.orders", on("id", "id"), null),
                rel("buyer", Relation.Kind.ONE, "shop.customers", null, null)));
        assertThatThrownBy(() -> validate(bad)).isInstanceOfSatisfying(InvalidViewException.class, e -> {
            Map<String, String> byPath = new LinkedHashMap<>();
            e.problems().forEach(p -> byPath.merge(p.path(), p.message(), (a, b) -> a + " | " + b));
            assertThat(byPath).containsKeys("name", "pipeline", "columns[1]", "relations[0].on.customer_id", "relations[1].on",
                    "relations[2].name", "relations[2].table", "relations[3].table", "relations[3].on.id", "relations[4].table",
                    "relations[5].on");
            assertThat(byPath.get("relations[0].on.customer_id")).contains("bigint").contains("varchar");
            assertThat(byPath.get("relations[1].on")).contains("not one").contains("make the relation 'many'");
            assertThat(byPath.get("relations[3].table")).contains("not captured").contains("no primary key");
            assertThat(byPath.get("relations[4].table")).contains("cycle");
            assertThat(byPath.get("relations[5].on")).as("the foreign key is offered").contains("\"customer_id\": \"id\"");
            assertThat(e.getMessage()).contains(e.problems().size() + " problems");
            assertThat(e.problems()).as(e.problems().toString()).hasSize(13);
        });
    }

    @Test
    void shouldLimitTheDepthOfNesting() {
        // products > orders by sku... a chain of distinct tables deeper than allowed needs five levels: build one by hand.
        Catalog deep = new Catalog(List.of(table("d.t0"), table("d.t1"), table("d.t2"), table("d.t3"), table("d.t4"), table("d.t5")));
        Relation r5 = rel("r5", Relation.Kind.ONE, "d.t5", on("id", "id"), null);
        Relation r4 = rel("r4", Relation.Kind.ONE, "d.t4", on("id", "id"), List.of(r5));
        Relation r3 = rel("r3", Relation.Kind.ONE, "d.t3", on("id", "id"), List.of(r4));
        Relation r2 = rel("r2", Relation.Kind.ONE, "d.t2", on("id", "id"), List.of(r3));
        Relation r1 = rel("r1", Relation.Kind.ONE, "d.t1", on("id", "id"), List.of(r2));
        ViewDefinition view = new ViewDefinition("deep", "p", "d.t0", null, null, List.of(r1));
        assertThatThrownBy(() -> ViewValidator.validate(view, "s", deep, t -> true)).isInstanceOfSatisfying(InvalidViewException.class,
                e -> assertThat(e.problems()).singleElement().satisfies(p -> {
                    assertThat(p.path()).isEqualTo("relations[0].relations[0].relations[0].relations[0].relations[0]");
                    assertThat(p.message()).contains("at most " + ViewDefinition.MAX_DEPTH);
                }));
    }

    @Test
    void shouldSuggestRelationsFromForeignKeysBothWays() {
        assertThat(ViewValidator.suggestions(SHOP, "shop.orders")).extracting(Relation::table, Relation::kind).containsExactly(
                Tuple.tuple("shop.customers", Relation.Kind.ONE),
                Tuple.tuple("shop.order_items", Relation.Kind.MANY));
    }

    private static Table table(String name) {
        return new Table(name, List.of(new Column("id", "int", false)), List.of("id"), List.of(List.of("id")), List.of());
    }
}
