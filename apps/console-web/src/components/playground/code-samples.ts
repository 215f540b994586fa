import { OPERATION_CALLS, type PlaygroundOperation, operationUrl } from './operations';

export interface CodeSample {
  language: 'curl' | 'JavaScript' | 'Python';
  code: string;
}

interface SampleFile {
  field: string;
  /** A name safe inside any of the three languages' string literals and a shell's single quotes. */
  name: string;
  type: string;
}

/** The picked file's name when it is plain, else a stand-in: the samples must stay valid code whatever was picked. */
function sampleName(file: File | undefined, fallback: string): string {
  return file && /^[\w.-]{1,80}$/.test(file.name) ? file.name : fallback;
}

function filesOf(operation: PlaygroundOperation, images: ReadonlyArray<File | undefined>): SampleFile[] {
  return OPERATION_CALLS[operation].fields.map((field, index) => {
    const file = images[index];
    return { field, name: sampleName(file, `${field}.jpg`), type: file?.type === 'image/png' ? 'image/png' : 'image/jpeg' };
  });
}

/**
 * The playground's call as curl, JavaScript (fetch) and Python (requests): the gateway's real URL and path, the
 * multipart fields of API.md, and the key read from NOMOSLY_KEY: never the key typed into the page.
 */
export function codeSamples(gatewayUrl: string, operation: PlaygroundOperation, images: ReadonlyArray<File | undefined>): CodeSample[] {
  const url = operationUrl(gatewayUrl, operation);
  const files = filesOf(operation, images);
  return [
    { language: 'curl', code: curl(url, files) },
    { language: 'JavaScript', code: javascript(url, files) },
    { language: 'Python', code: python(url, files) },
  ];
}

function curl(url: string, files: SampleFile[]): string {
  return [
    `curl -X POST '${url}' \\`,
    `  -H "Authorization: Bearer $NOMOSLY_KEY" \\`,
    ...files.map((file, index) => `  -F '${file.field}=@${file.name};type=${file.type}'${index < files.length - 1 ? ' \\' : ''}`),
  ].join('\n');
}

function javascript(url: string, files: SampleFile[]): string {
  return [
    `// Node 20+ (an ES module); in a browser, append the File from an <input type="file"> instead.`,
    `import { readFile } from 'node:fs/promises';`,
    ``,
    `const form = new FormData();`,
    ...files.map((file) => `form.append('${file.field}', new Blob([await readFile('${file.name}')], { type: '${file.type}' }), '${file.name}');`),
    ``,
    `const response = await fetch('${url}', {`,
    `  method: 'POST',`,
    `  headers: { Authorization: \`Bearer \${process.env.NOMOSLY_KEY}\` },`,
    `  body: form,`,
    `});`,
    `console.log(response.status, await response.json());`,
  ].join('\n');
}

function python(url: string, files: SampleFile[]): string {
  const handles = files.map((file) => `open("${file.name}", "rb") as ${file.field}`);
  return [
    `import os`,
    ``,
    `import requests`,
    ``,
    `with ${handles.join(', ')}:`,
    `    response = requests.post(`,
    `        "${url}",`,
    `        headers={"Authorization": f"Bearer {os.environ['NOMOSLY_KEY']}"},`,
    `        files={${files.map((file) => `"${file.field}": ("${file.name}", ${file.field}, "${file.type}")`).join(', ')}},`,
    `        timeout=60,`,
    `    )`,
    `print(response.status_code, response.json())`,
  ].join('\n');
}
