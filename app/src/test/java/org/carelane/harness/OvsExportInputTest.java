package org.carelane.harness;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** export-rules.sh explains bad input: the JSON position, the missing block, the invalid field. */
class OvsExportInputTest {
    @TempDir
    Path dir;

    private String problem(String netcfg) throws Exception {
        Path file = dir.resolve("netcfg.json");
        Files.writeString(file, netcfg);
        return assertThrows(IllegalArgumentException.class, () -> OvsExport.checkedBlock(file)).getMessage()
                .replace(file.toString(), "FILE");
    }

    @Test
    void aJsonSyntaxErrorGivesItsLineAndColumn() throws Exception {
        String message = problem("{\n  \"apps\": {\n    \"org.carelane.app\": { \"carelane\": { ] }\n  }\n}\n");
        assertTrue(message.startsWith("FILE: JSON syntax error at line 3, column 42: Unexpected close marker ']'"),
                message);
    }

    @Test
    void aMissingBlockIsNamed() throws Exception {
        assertEquals("FILE: no apps.\"org.carelane.app\".carelane object", problem("{\"apps\": {}}"));
    }

    @Test
    void anInvalidFieldGivesTheValidatorsPathAndReason() throws Exception {
        String shipped = Files.readString(Path.of("..", "topologies", "carelane-netcfg.json"));
        String bad = shipped.replace("\"maxKbps\": 4000", "\"maxKbps\": -4");
        assertEquals("FILE: slices[3].rates.peak.maxKbps: must be between 1 and 100000000, got -4", problem(bad));
    }
}
