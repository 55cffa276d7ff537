"""Models and learning helpers of the notebooks, one module per topic.

Modules that build Keras models import TensorFlow inside their functions or on their own import, never here, so
``import course_utils.learn`` stays light.
"""
