"""pbscope's Qt-free core: the readers, the data model, and every action the window and the
command line share. Never imports Qt, and imports TensorFlow only inside the features that
need it."""
