// Interop driver for tests/test_interop_node.py: the npm `age-encryption` package (typage), an
// independent implementation of age with the post-quantum hybrid recipient type.
//
//   node age_node.mjs keygen [--classic]              -> prints {"identity": ..., "recipient": ...}
//   node age_node.mjs encrypt IN OUT [--armor] [-r RECIPIENT]...    (AGE_PASSPHRASE: scrypt)
//   node age_node.mjs decrypt IN OUT [-i IDENTITY]...               (AGE_PASSPHRASE: scrypt)
// Exit status 1 with the error message on stderr when the library rejects a file.
import { readFileSync, writeFileSync } from "node:fs";
import * as age from "age-encryption";

function options(argv) {
  const out = { positional: [], recipients: [], identities: [], armor: false, classic: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "-r") out.recipients.push(argv[++i]);
    else if (a === "-i") out.identities.push(argv[++i]);
    else if (a === "--armor") out.armor = true;
    else if (a === "--classic") out.classic = true;
    else out.positional.push(a);
  }
  return out;
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  const opts = options(rest);
  const passphrase = process.env.AGE_PASSPHRASE;
  if (command === "keygen") {
    const identity = opts.classic
      ? await age.generateX25519Identity()
      : await age.generateHybridIdentity();
    const recipient = await age.identityToRecipient(identity);
    process.stdout.write(JSON.stringify({ identity, recipient }) + "\n");
  } else if (command === "encrypt") {
    const [input, output] = opts.positional;
    const e = new age.Encrypter();
    if (passphrase) {
      e.setPassphrase(passphrase);
      e.setScryptWorkFactor(10);
    }
    for (const r of opts.recipients) e.addRecipient(r);
    const sealed = await e.encrypt(readFileSync(input));
    writeFileSync(output, opts.armor ? age.armor.encode(sealed) : sealed);
  } else if (command === "decrypt") {
    const [input, output] = opts.positional;
    const d = new age.Decrypter();
    if (passphrase) d.addPassphrase(passphrase);
    for (const i of opts.identities) d.addIdentity(i);
    let data = readFileSync(input);
    if (data.subarray(0, 5).toString() === "-----") data = age.armor.decode(data.toString());
    writeFileSync(output, await d.decrypt(data));
  } else {
    throw new Error(`unknown command ${command}`);
  }
}

main().catch((err) => {
  process.stderr.write(`age_node: ${err.message}\n`);
  process.exit(1);
});
