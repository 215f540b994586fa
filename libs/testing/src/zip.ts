import { type Entry, type ZipFile, fromBuffer } from 'yauzl';

/** Every file of a zip, by name, as text (yauzl checks each entry's size and CRC as it reads). */
export async function unzipText(zip: Buffer): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  const archive = await new Promise<ZipFile>((resolve, reject) =>
    fromBuffer(zip, { lazyEntries: true, strictFileNames: true, validateEntrySizes: true }, (error, opened) => (error ? reject(error) : resolve(opened))),
  );
  await new Promise<void>((resolve, reject) => {
    archive.on('error', reject);
    archive.on('end', () => resolve());
    archive.on('entry', (entry: Entry) => {
      archive.openReadStream(entry, (error, stream) => {
        if (error) return reject(error);
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', reject);
        stream.on('end', () => {
          files.set(entry.fileName, Buffer.concat(chunks).toString('utf8'));
          archive.readEntry();
        });
      });
    });
    archive.readEntry();
  });
  return files;
}
