/**
 * Layers of a build in progress: writing a layer's tar as a blob and unpacking it into the
 * layer store (so the next RUN can stack it as a lowerdir), and the views of a state's layers.
 */
import { chainIds } from '../image/digest.js';
import type { LayerView } from '../image/image-config.js';
import { unpackOne } from '../image/ingest.js';
import { layerDiffDir, readLayerMeta } from '../image/layer-unpack.js';
import { LOCAL_LAYER_MEDIA_TYPE } from '../image/local-commit.js';
import type { StoreFiles } from '../image/store.js';
import type { StateLayer } from './build-cache.js';
import { layerTar } from './layer-tar.js';
import type { LayerEntry } from './layer-tar.js';

/** Stores the entries as an uncompressed layer on top of `below` and unpacks it. */
export async function storeLayer(files: StoreFiles, below: readonly StateLayer[], entries: readonly LayerEntry[]): Promise<StateLayer> {
  const blob = await files.writeBlob(layerTar(entries));
  const layer: StateLayer = { diffId: blob.digest, blobDigest: blob.digest, blobSize: blob.size, mediaType: LOCAL_LAYER_MEDIA_TYPE };
  const chain = chainIds([...below.map((l) => l.diffId), layer.diffId]);
  await unpackOne(files, { diffId: layer.diffId, chainId: chain[chain.length - 1]!, blobDigest: layer.blobDigest, blobSize: layer.blobSize });
  return layer;
}

/** The state's layer dirs, top first; layers a prune removed (blob still there) are unpacked again. */
export async function layerViews(files: StoreFiles, layers: readonly StateLayer[]): Promise<LayerView[]> {
  const chains = chainIds(layers.map((l) => l.diffId));
  const views: LayerView[] = [];
  for (let i = layers.length - 1; i >= 0; i--) {
    const chainId = chains[i]!;
    let meta = await readLayerMeta(files.layersDir, chainId);
    if (meta === undefined) {
      const l = layers[i]!;
      await unpackOne(files, { diffId: l.diffId, chainId, blobDigest: l.blobDigest, blobSize: l.blobSize });
      meta = await readLayerMeta(files.layersDir, chainId);
    }
    views.push({ diffDir: layerDiffDir(files.layersDir, chainId), opaqueDirs: meta?.opaqueDirs ?? [] });
  }
  return views;
}
