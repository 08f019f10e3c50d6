"""nbgrader configuration for the Downhill exercises. Run nbgrader from this folder:

    cd instructor
    nbgrader generate_assignment ex02_gradients     # → release/ex02_gradients/ (the student copy)
    nbgrader autograde ex02_gradients               # grades submitted/<student>/ex02_gradients/

The course layout is nbgrader's default: source/<assignment>/<notebook>.ipynb, one assignment per
exercise notebook, with the same name as its notebook. See README.md in this folder.
"""

c = get_config()  # noqa: F821 - provided by nbgrader when it reads this file

c.CourseDirectory.course_id = "downhill"

# Every cell runs in well under a second; a generous limit still stops a student's endless loop.
c.Execute.timeout = 120

# Student copies are generated with nbgrader's defaults, which tools/make_student_copies.py mirrors
# (stubs "# YOUR CODE HERE / raise NotImplementedError()" and "YOUR ANSWER HERE"). If you change
# ClearSolutions or LockCells settings here, regenerate the committed copies with nbgrader instead.
