package io.kshift.model.schema;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.lang.reflect.RecordComponent;

/** What the schema tests ask of kshift's model: a record's component by name, a component's element type. */
final class ModelFields {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private ModelFields() {
    }

    static RecordComponent component(Class<?> record, String name) {
        for (RecordComponent rc : record.getRecordComponents()) {
            if (io.kshift.model.codec.JsonNames.of(rc).equals(name)) {
                return rc;
            }
        }
        return null;
    }

    /** A list's or map's element type; the type itself otherwise. */
    static Class<?> element(JavaType type) {
        JavaType t = type;
        while (t.isContainerType()) {
            t = t.getContentType();
        }
        return t.getRawClass();
    }

    static Class<?> element(RecordComponent component) {
        return element(MAPPER.constructType(component.getGenericType()));
    }
}
