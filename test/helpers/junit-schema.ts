/**
 * Validates JUnit XML against the common JUnit schema (test/schemas/junit.xsd) with libxml2's
 * xmllint compiled to WebAssembly (npm xmllint-wasm): the check a CI server's parser makes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { validateXML } from 'xmllint-wasm';
import { REPO } from './fixtures.ts';

const XSD = readFileSync(join(REPO, 'test/schemas/junit.xsd'), 'utf8');

/** The schema's complaints, one line each; empty when the document is valid. */
export async function junitSchemaErrors(xml: string): Promise<string[]> {
  const r = await validateXML({
    xml: [{ fileName: 'report.xml', contents: xml }],
    schema: [{ fileName: 'junit.xsd', contents: XSD }],
  });
  return r.valid ? [] : r.errors.map((e) => e.rawMessage);
}
