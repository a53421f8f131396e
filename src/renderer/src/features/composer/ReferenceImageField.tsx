import { useState } from 'react';
import type { ModelSummary } from '@shared/domain/studio';
import { readReferenceImage, type ReferenceImage } from './referenceImage';

interface ReferenceImageFieldProps {
  image: ReferenceImage | null;
  onChange: (image: ReferenceImage | null) => void;
  model: ModelSummary | undefined;
}

/**
 * "Start from an image": drop or pick a PNG/JPEG, shown as a thumbnail with a remove button. Offered only when the
 * selected model takes reference frames; otherwise a line says why (Generate refuses while a chosen image cannot be used).
 */
export function ReferenceImageField({ image, onChange, model }: ReferenceImageFieldProps): React.JSX.Element {
  const [problem, setProblem] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);
  const support = model?.referenceFrames ?? { supported: false as const, reason: 'No model is selected.' };
  const take = async (file: File | undefined): Promise<void> => {
    if (!file) {
      return;
    }
    const read = await readReferenceImage(file);
    setProblem(read.ok ? null : read.message);
    if (read.ok) {
      if (image) {
        URL.revokeObjectURL(image.url);
      }
      onChange(read.image);
    }
  };
  const remove = (): void => {
    if (image) {
      URL.revokeObjectURL(image.url);
    }
    onChange(null);
  };
  return (
    <div className="reference-image" data-testid="reference-image-field" data-enabled={support.supported}>
      {image ? (
        <div className="inline">
          <img src={image.url} alt={`Start image ${image.fileName}`} data-testid="reference-thumbnail" style={{ maxHeight: 48, maxWidth: 96 }} />
          <span>
            Starts from <strong>{image.fileName}</strong> ({image.width} × {image.height})
          </span>
          <button type="button" data-testid="reference-remove" aria-label={`Remove the start image ${image.fileName}`} onClick={remove}>
            Remove
          </button>
        </div>
      ) : support.supported ? (
        <label
          className={`drop-zone${dragging ? ' dragging' : ''}`}
          data-testid="reference-drop"
          onDragOver={(event) => {
            event.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={(event) => {
            event.preventDefault();
            setDragging(false);
            void take(event.dataTransfer.files[0]);
          }}
        >
          Drop an image here or pick one (PNG/JPEG) to animate it
          <input type="file" accept="image/png,image/jpeg" data-testid="reference-input" onChange={(event) => void take(event.target.files?.[0])} />
        </label>
      ) : null}
      {support.supported ? null : (
        <p className="hint" data-testid="reference-unsupported">
          {image ? 'Remove the image or choose another model: ' : 'Starting from an image is not available: '}
          {support.reason}
        </p>
      )}
      {problem ? (
        <p className="error" role="alert" data-testid="reference-error">
          {problem}
        </p>
      ) : null}
    </div>
  );
}
