// A tiny BERT-shaped embedding model for tests: no real weights exist on these machines, so we
// write an ONNX graph whose "last hidden state" is a lookup in a seeded random embedding table,
// beside the real all-MiniLM-L6-v2 tokenizer files. Its vectors mean nothing; it exercises the
// real loading, tokenizing, pooling and storing code end to end.
import { copyFile, mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

export const TINY_MODEL = 'Xenova/all-MiniLM-L6-v2';
export const TINY_MODEL_DIM = 32;
const VOCAB_SIZE = 30522;
const TOKENIZER_FILES = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json'];

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The shared folder holding the real tokenizer files (override with PAPERTALK_SHARED_DIR). */
export function sharedDir(): string {
  return process.env.PAPERTALK_SHARED_DIR ?? path.resolve(repoRoot, '../shared');
}

let modelsDir: Promise<string> | undefined;

/**
 * A temp models folder holding the tiny model under TINY_MODEL's name, laid out the way
 * transformers.js reads `env.localModelPath`. Made once per process.
 */
export function makeTinyModelsDir(): Promise<string> {
  modelsDir ??= writeTinyModelsDir();
  return modelsDir;
}

async function writeTinyModelsDir(): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'papertalk-models-'));
  const modelDir = path.join(dir, TINY_MODEL);
  await mkdir(path.join(modelDir, 'onnx'), { recursive: true });
  const source = path.join(sharedDir(), 'models', TINY_MODEL);
  for (const file of TOKENIZER_FILES) await copyFile(path.join(source, file), path.join(modelDir, file));
  await writeFile(path.join(modelDir, 'onnx', 'model.onnx'), tinyBertOnnx(TINY_MODEL_DIM, 42));
  return dir;
}

/** ONNX bytes of: last_hidden_state = Gather(table[VOCAB_SIZE × dim], input_ids). */
export function tinyBertOnnx(dim: number, seed: number): Uint8Array {
  const { TensorProto } = onnx;
  const int64Input = (name: string) =>
    onnx.ValueInfoProto.create({
      name,
      type: {
        tensorType: {
          elemType: TensorProto.DataType.INT64,
          shape: { dim: [{ dimParam: 'batch' }, { dimParam: 'sequence' }] },
        },
      },
    });
  const random = mulberry32(seed);
  const table = new Float32Array(VOCAB_SIZE * dim);
  for (let i = 0; i < table.length; i++) table[i] = random() * 2 - 1;

  const graph = onnx.GraphProto.create({
    name: 'tiny-bert',
    node: [onnx.NodeProto.create({ opType: 'Gather', input: ['embeddings', 'input_ids'], output: ['last_hidden_state'], attribute: [{ name: 'axis', type: onnx.AttributeProto.AttributeType.INT, i: 0 }] })],
    initializer: [
      TensorProto.create({
        name: 'embeddings',
        dataType: TensorProto.DataType.FLOAT,
        dims: [VOCAB_SIZE, dim],
        rawData: new Uint8Array(table.buffer),
      }),
    ],
    // token_type_ids is unused, as in a BERT export it is declared so the tokenizer feeds it.
    input: [int64Input('input_ids'), int64Input('attention_mask'), int64Input('token_type_ids')],
    output: [
      onnx.ValueInfoProto.create({
        name: 'last_hidden_state',
        type: {
          tensorType: {
            elemType: TensorProto.DataType.FLOAT,
            shape: { dim: [{ dimParam: 'batch' }, { dimParam: 'sequence' }, { dimValue: dim }] },
          },
        },
      }),
    ],
  });
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'papertalk-tests',
    graph,
  });
  return onnx.ModelProto.encode(model).finish();
}

/** Small seeded PRNG, so that the model (and every test using it) is deterministic. */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
