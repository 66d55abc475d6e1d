"""The machinery behind ``autoenc_helpers``: nothing here is needed to follow the notebooks.

``autoenc_helpers.py`` is the file a learner reads: one short public function per idea the
notebooks teach. Everything those functions need but do not teach lives in this package, one
module per concern, so that a change has one obvious place:

- ``checks``: every validation rule, written once (whole numbers, finite values, labels, points
  on a map, items that must match, pixel scale, layer sizes);
- ``colours``: the class-colour rule (one distinct colour per class, the same everywhere,
  labels in natural order) for every plotting surface;
- ``parsing``: reading the digits file and your own CSV files, with exact error messages;
- ``keras_graph``: looking inside Keras models (the only module besides ``training`` that uses
  Keras internals): the chain of layers, where the code is, the output activation;
- ``training``: what ``train_autoencoder`` needs around its training loop (reading the
  compiled settings, checks, progress line, the callback loop);
- ``cache``: the trained book model saved once and checked before reuse;
- ``images``: digits and other square images as PNG pictures;
- ``interactive``: the bokeh plumbing of the hover explorer;
- ``explorers``: the map forming (``MapRecorder``, the animation) and "why is this digit
  here?" (04, 08);
- ``scores``: trustworthiness in row blocks, memory linear in the items;
- ``tsne``: the parametric map at any size (openTSNE targets, PCA, the temperature rule);
- ``placement``: how ``fit_parametric_map`` places an item (its nearest training items, then
  the point settles where their t-SNE attraction balances);
- ``paths``: where the data and the trained models live (``AUTOENC_DATA_DIR``,
  ``AUTOENC_MODELS_DIR``).
"""
