package io.sluice.view;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ViewDefinitionTest {

    @Test
    void shouldListEveryTableOnceRootFirstThenDepthFirstSkippingWhatADraftLeavesOut() {
        Relation product = new Relation("product", null, "shop.products", Map.of("product_id", "id"), null, null, null, null);
        Relation items = new Relation("items", null, "shop.order_items", Map.of("id", "order_id"), null, null, null, List.of(product));
        Relation customer = new Relation("customer", null, "crm.customers", Map.of("customer_id", "id"), null, null, null, null);
        Relation unnamed = new Relation("unnamed", null, null, Map.of(), null, null, null, null);
        Relation again = new Relation("again", null, "shop.products", Map.of("best_id", "id"), null, null, null, null);
        ViewDefinition view = new ViewDefinition("orders", "shop", "shop.orders", null, null, Arrays.asList(items, null, customer, unnamed, again));

        assertThat(view.tables()).containsExactly("shop.orders", "shop.order_items", "shop.products", "crm.customers");
        assertThat(view.databases()).containsExactly("shop", "crm");
        assertThat(new ViewDefinition("draft", "shop", null, null, null, null).tables()).isEmpty();
    }
}
